package dev.plumber.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.RequestRefused;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.Role;
import dev.plumber.core.users.User;
import dev.plumber.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/** Reading a request: who sent it (bearer token), its JSON body, path and query values; bad input is refused. */
final class Requests {
    /** RFC 5321 caps an address at 254 characters: a longer one names no account, and is never stored or journaled. */
    static final int MAX_EMAIL = 254;

    /** Far above any real password, and it keeps the password hash's work per request bounded. */
    static final int MAX_PASSWORD = 1024;

    private Requests() {}

    static User user(Accounts accounts, Context ctx) throws SQLException {
        String token = bearer(ctx).orElseThrow(() -> new Unauthorized("a bearer token is required"));
        return accounts.authenticate(token).orElseThrow(() -> new Unauthorized("invalid or expired token"));
    }

    static User admin(Accounts accounts, Context ctx) throws SQLException {
        User user = user(accounts, ctx);
        if (user.role() != Role.ADMIN) {
            throw RequestRefused.forbidden("administrators only");
        }
        return user;
    }

    static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    static JsonNode body(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) {
                throw RequestRefused.invalid("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw RequestRefused.invalid("the body is not valid JSON");
        }
    }

    static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw RequestRefused.invalid(field + " is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw RequestRefused.invalid(field + " must be a string");
        }
        return storable(field, value.textValue());
    }

    /** {@code value}, refused when it holds U+0000: PostgreSQL's text cannot, and the insert would fail with a 500. */
    static String storable(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw RequestRefused.invalid(field + " must not contain U+0000");
        }
        return value;
    }

    /** {@code value} (may be null), refused when longer than an e-mail address can be. */
    static String email(String field, String value) {
        if (value != null && value.length() > MAX_EMAIL) {
            throw RequestRefused.invalid(
                    field + " is " + value.length() + " characters long; an e-mail address has at most " + MAX_EMAIL);
        }
        return value;
    }

    /** {@code value} (may be null), refused when longer than {@link #MAX_PASSWORD} characters. */
    static String password(String field, String value) {
        if (value != null && value.length() > MAX_PASSWORD) {
            throw RequestRefused.invalid(
                    field + " is " + value.length() + " characters long; at most " + MAX_PASSWORD + " are accepted");
        }
        return value;
    }

    static Boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw RequestRefused.invalid(field + " must be true or false");
        }
        return value.booleanValue();
    }

    static long pathId(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw RequestRefused.notFound("no such " + name + ": " + ctx.pathParam(name));
        }
    }

    static Long queryLong(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw RequestRefused.invalid(name + " must be an integer");
        }
    }

    static String clientIp(Context ctx) {
        return ClientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }
}

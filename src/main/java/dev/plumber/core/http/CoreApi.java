package dev.plumber.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.core.RequestRefused;
import dev.plumber.core.chats.Chats;
import dev.plumber.core.chats.Message;
import dev.plumber.core.chats.Messages;
import dev.plumber.core.files.FileStore;
import dev.plumber.core.files.StoredFile;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.User;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The core's HTTP API (SPEC §6): JSON in and out, bearer-token auth, file upload and download, and a WebSocket
 * ({@code /api/v1/ws}) that pushes each sent or edited message to the chat's members.
 */
public final class CoreApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARTS = "{\"client\":\"api\"}";

    private final Accounts accounts;
    private final Chats chats;
    private final Messages messages;
    private final FileStore files;
    private final byte[] serviceToken;
    private final LiveDelivery live = new LiveDelivery();

    public CoreApi(Accounts accounts, Chats chats, Messages messages, FileStore files, String serviceToken) {
        this.accounts = accounts;
        this.chats = chats;
        this.messages = messages;
        this.files = files;
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
    }

    public void routes(Javalin app) {
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "up")));
        app.post("/api/v1/login", this::login);
        app.post("/api/v1/logout", this::logout);
        app.post("/api/v1/chats", this::createChat);
        app.get("/api/v1/chats", ctx -> ctx.json(Map.of("items", chats.of(user(ctx)))));
        app.post("/api/v1/chats/{id}/messages", this::send);
        app.get("/api/v1/chats/{id}/messages", this::history);
        app.put("/api/v1/chats/{id}/messages/{mid}", this::edit);
        app.post("/api/v1/files", this::upload);
        app.get("/get/{hash}", this::download);
        app.wsBeforeUpgrade("/api/v1/ws", ctx -> ctx.attribute("user", wsUser(ctx)));
        app.ws("/api/v1/ws", ws -> {
            ws.onConnect(socket -> live.connected(socket.<User>attribute("user").id(), socket));
            ws.onClose(socket -> live.closed(socket.<User>attribute("user").id(), socket));
            ws.onError(socket -> live.closed(socket.<User>attribute("user").id(), socket));
        });
    }

    /** Browsers cannot set headers on a WebSocket, so the token may also come as {@code ?token=}. */
    private User wsUser(Context ctx) throws SQLException {
        String token = bearer(ctx).orElse(ctx.queryParam("token"));
        if (token == null || token.isBlank()) {
            throw new Unauthorized("a bearer token is required");
        }
        return accounts.authenticate(token).orElseThrow(() -> new Unauthorized("invalid or expired token"));
    }

    private void login(Context ctx) throws SQLException {
        JsonNode body = body(ctx);
        Optional<String> token = accounts.login(text(body, "email", true), text(body, "password", true));
        if (token.isEmpty()) {
            throw new Unauthorized("wrong e-mail or password, or the account is disabled");
        }
        ctx.json(Map.of("token", token.get()));
    }

    private void logout(Context ctx) throws SQLException {
        user(ctx);
        accounts.logout(bearer(ctx).orElseThrow());
        ctx.status(204);
    }

    private void createChat(Context ctx) throws SQLException {
        User user = user(ctx);
        JsonNode body = body(ctx);
        List<String> members = new ArrayList<>();
        JsonNode list = body.path("members");
        if (!list.isArray()) {
            throw RequestRefused.invalid("members must be a list of e-mails");
        }
        for (JsonNode member : list) {
            if (!member.isTextual()) {
                throw RequestRefused.invalid("members must be a list of e-mails");
            }
            members.add(member.textValue());
        }
        long id = chats.create(user, text(body, "type", true), members, text(body, "title", false));
        ctx.json(Map.of("id", id));
    }

    private void send(Context ctx) throws SQLException {
        User user = user(ctx);
        JsonNode body = body(ctx);
        long chatId = pathId(ctx, "id");
        Message sent = messages.send(user, chatId, text(body, "text", true), text(body, "hash", false), origin(ctx));
        live.deliver(chatId, sent, chats.memberIds(chatId));
        ctx.json(Map.of("mid", sent.mid()));
    }

    private void edit(Context ctx) throws SQLException {
        User user = user(ctx);
        JsonNode body = body(ctx);
        long mid = pathId(ctx, "mid");
        long chatId = pathId(ctx, "id");
        Message edited = messages.edit(user, chatId, mid, text(body, "text", true), origin(ctx));
        live.deliver(chatId, edited, chats.memberIds(chatId));
        ctx.json(Map.of("mid", mid));
    }

    private void history(Context ctx) throws SQLException {
        User user = user(ctx);
        Long before = queryLong(ctx, "before");
        Long limit = queryLong(ctx, "limit");
        List<Message> page = messages.history(user, pathId(ctx, "id"), before, limit == null ? 50 : limit.intValue());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Message m : page) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("mid", m.mid());
            item.put("sender", m.sender());
            item.put("text", m.text());
            item.put("hash", m.hash());
            item.put("ts", m.ts().toString());
            item.put("edited", m.edited());
            items.add(item);
        }
        ctx.json(Map.of("items", items));
    }

    private void upload(Context ctx) throws IOException, SQLException {
        User user = user(ctx);
        String contentType = ctx.contentType();
        if (contentType == null
                || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw RequestRefused.invalid("upload a file as multipart/form-data with a part named 'file'");
        }
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (IllegalStateException e) {
            // Jetty refuses a part over the configured maximum while parsing.
            throw new RequestRefused(RequestRefused.Reason.TOO_LARGE, "the file is too large");
        }
        if (file == null) {
            throw RequestRefused.invalid("the multipart body has no part named 'file'");
        }
        StoredFile stored;
        try (InputStream content = file.content()) {
            stored = files.upload(
                    user,
                    file.filename(),
                    file.contentType(),
                    content,
                    origin(ctx).ip());
        }
        ctx.json(Map.of("hash", stored.hash(), "name", stored.name(), "size", stored.size()));
    }

    private void download(Context ctx) throws IOException, SQLException {
        String hash = ctx.pathParam("hash");
        Optional<String> token = bearer(ctx);
        if (token.isEmpty()) {
            throw new Unauthorized("a bearer token is required");
        }
        boolean service = serviceToken.length > 0
                && MessageDigest.isEqual(serviceToken, token.get().getBytes(StandardCharsets.UTF_8));
        if (!service) {
            User user = accounts.authenticate(token.get()).orElseThrow(() -> new Unauthorized("invalid token"));
            // Unknown and not-yours look the same: a hash names content, so its existence is itself a secret.
            if (!files.readableBy(hash, user)) {
                throw RequestRefused.notFound("no file " + hash);
            }
        }
        StoredFile file = files.find(hash).orElseThrow(() -> RequestRefused.notFound("no file " + hash));
        java.nio.file.Path path = files.path(hash);
        if (!Files.exists(path)) {
            throw RequestRefused.notFound("no file " + hash);
        }
        ctx.contentType(file.mime());
        ctx.header("Content-Length", Long.toString(file.size()));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Disposition", ContentDisposition.attachment(file.name()));
        ctx.result(Files.newInputStream(path));
    }

    private Messages.Origin origin(Context ctx) {
        return new Messages.Origin(ClientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For")), PARTS);
    }

    private User user(Context ctx) throws SQLException {
        String token = bearer(ctx).orElseThrow(() -> new Unauthorized("a bearer token is required"));
        return accounts.authenticate(token).orElseThrow(() -> new Unauthorized("invalid or expired token"));
    }

    private static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = JSON.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) {
                throw RequestRefused.invalid("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw RequestRefused.invalid("the body is not valid JSON");
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
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
        return value.textValue();
    }

    private static long pathId(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw RequestRefused.notFound("no such " + name + ": " + ctx.pathParam(name));
        }
    }

    private static Long queryLong(Context ctx, String name) {
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

    /** Missing or bad credentials: HTTP 401. */
    static final class Unauthorized extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unauthorized(String message) {
            super(message);
        }
    }
}

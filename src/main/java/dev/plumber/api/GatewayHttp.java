package dev.plumber.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.plumber.auth.LoginThrottle;
import dev.plumber.auth.TokenSessions;
import dev.plumber.status.RequestQuery;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The gateway's HTTP surface (SPEC §6): log-in, the requests API, metrics and health. */
public final class GatewayHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final ObjectReader CREDENTIALS =
            JSON.readerFor(Credentials.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Javalin app;

    /**
     * Serves {@code liveness} at {@code /health/live} (down only for what a restart mends), {@code readiness} at {@code
     * /health/ready}; {@code routes} adds more (the console's) before the start.
     */
    public GatewayHttp(
            int port,
            StatusStore store,
            ConsoleAccounts accounts,
            TokenSessions<String> sessions,
            PrometheusMeterRegistry registry,
            Supplier<Health> liveness,
            Supplier<Health> readiness,
            java.util.function.Consumer<Javalin> routes) {
        app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(JSON, true));
        });
        app.exception(BadRequest.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            org.slf4j.LoggerFactory.getLogger(GatewayHttp.class).warn("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
        });

        new OperationsApi(registry, liveness, readiness).routes(app);

        LoginThrottle throttle = new LoginThrottle(5, java.time.Duration.ofSeconds(30), java.time.Clock.systemUTC());
        app.post("/api/v1/login", ctx -> {
            Credentials credentials = credentials(ctx);
            var locked = throttle.lockedFor(credentials.email(), ctx.ip());
            if (locked.isPresent()) {
                error(
                        ctx,
                        HttpStatus.TOO_MANY_REQUESTS,
                        "too many failed log-ins; try again in " + (locked.get().toSeconds() + 1) + " s");
                return;
            }
            var role = accounts.authenticate(credentials.email(), credentials.password());
            if (role.isEmpty()) {
                throttle.failed(credentials.email(), ctx.ip());
                error(ctx, HttpStatus.UNAUTHORIZED, "wrong e-mail or password");
                return;
            }
            throttle.succeeded(credentials.email(), ctx.ip());
            ctx.json(Map.of("token", sessions.open(ConsoleAccounts.normalise(credentials.email()))));
        });
        app.post("/api/v1/logout", ctx -> {
            sessions.close(bearer(ctx));
            ctx.status(HttpStatus.NO_CONTENT);
        });
        app.before("/api/v1/requests*", ctx -> {
            String token = bearer(ctx);
            Optional<String> email = sessions.principal(token);
            // As the console does on every request: an account disabled since its log-in loses its tokens now.
            if (email.isPresent() && accounts.enabledRole(email.get()).isEmpty()) {
                sessions.close(token);
                email = Optional.empty();
            }
            if (email.isEmpty()) {
                error(
                        ctx,
                        HttpStatus.UNAUTHORIZED,
                        "log in first: POST /api/v1/login, then Authorization: Bearer <token>");
                ctx.skipRemainingHandlers();
            }
        });
        app.get("/api/v1/requests", ctx -> {
            StatusStore.Page page = store.query(query(ctx));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", page.items());
            body.put("total", page.total());
            ctx.json(body);
        });
        app.get("/api/v1/requests/{eventId}", ctx -> store.detail(ctx.pathParam("eventId"))
                .ifPresentOrElse(ctx::json, () -> error(ctx, HttpStatus.NOT_FOUND, "no such request")));
        routes.accept(app);
        app.start(port);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** The log-in body. */
    public record Credentials(String email, String password) {}

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    private static Credentials credentials(Context ctx) {
        Credentials credentials;
        try {
            credentials = CREDENTIALS.readValue(ctx.bodyAsBytes());
        } catch (IOException e) {
            credentials = null;
        }
        if (credentials == null || credentials.email() == null || credentials.password() == null) {
            throw new BadRequest("the body must be JSON: {\"email\": \"…\", \"password\": \"…\"}");
        }
        return credentials;
    }

    private static RequestQuery query(Context ctx) {
        String status = ctx.queryParam("status");
        Status parsedStatus = null;
        if (status != null && !status.isBlank()) {
            try {
                parsedStatus = Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("unknown status '" + status + "'");
            }
        }
        return new RequestQuery(
                parsedStatus,
                blankToNull(ctx.queryParam("type")),
                blankToNull(ctx.queryParam("sender")),
                blankToNull(ctx.queryParam("chat")),
                longParam(ctx, "mid"),
                blankToNull(ctx.queryParam("hash")),
                instantParam(ctx, "from"),
                instantParam(ctx, "to"),
                intParam(ctx, "limit"),
                intParam(ctx, "offset"));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Long longParam(Context ctx, String name) {
        String value = blankToNull(ctx.queryParam(name));
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequest("'" + name + "' must be a number");
        }
    }

    private static int intParam(Context ctx, String name) {
        Long value = longParam(ctx, name);
        return value == null ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, value));
    }

    private static Instant instantParam(Context ctx, String name) {
        String value = blankToNull(ctx.queryParam(name));
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new BadRequest("'" + name + "' must be an ISO-8601 instant such as 2026-11-23T12:00:00Z");
        }
    }

    private static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith("Bearer ")
                ? header.substring(7).strip()
                : null;
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}

package dev.plumber.core.http;

import dev.plumber.core.RequestRefused;
import dev.plumber.core.events.QueueUnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every failure leaves the core as {@code {"error": "..."}} with the status it stands for. */
public final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    public static void register(Javalin app) {
        app.exception(RequestRefused.class, (e, ctx) -> respond(ctx, status(e.reason()), e.getMessage()));
        app.exception(Unauthorized.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", "Bearer");
            respond(ctx, 401, e.getMessage());
        });
        app.exception(TooManyAttempts.class, (e, ctx) -> {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            respond(ctx, 429, e.getMessage());
        });
        app.exception(QueueUnavailableException.class, (e, ctx) -> {
            LOG.warn("refused a request: {} ({})", e.getMessage(), String.valueOf(e.getCause()));
            respond(ctx, 503, "the DLP queue is unavailable; nothing was sent, try again later");
        });
        app.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "internal error");
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                respond(ctx, 404, "not found");
            }
        });
    }

    private static int status(RequestRefused.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
        };
    }

    private static void respond(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}

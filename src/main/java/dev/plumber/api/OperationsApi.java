package dev.plumber.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * What an operator's tools read from the gateway and the core alike, without a token: liveness (down only for what a
 * restart mends), readiness (each check by name, {@code reason} naming the first that failed) and the Prometheus
 * meters.
 */
public final class OperationsApi {
    private final PrometheusMeterRegistry registry;
    private final Supplier<Health> liveness;
    private final Supplier<Health> readiness;

    public OperationsApi(PrometheusMeterRegistry registry, Supplier<Health> liveness, Supplier<Health> readiness) {
        this.registry = registry;
        this.liveness = liveness;
        this.readiness = readiness;
    }

    public void routes(Javalin app) {
        app.get("/health/live", ctx -> health(ctx, liveness.get()));
        app.get("/health/ready", ctx -> health(ctx, readiness.get()));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }

    private static void health(Context ctx, Health health) {
        ctx.status(health.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .json(health.body());
    }
}

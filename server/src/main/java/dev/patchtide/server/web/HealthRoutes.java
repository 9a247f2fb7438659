package dev.patchtide.server.web;

import dev.patchtide.server.db.Database;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code /healthz} for load balancers and {@code /metrics} for Prometheus. */
public final class HealthRoutes {
    private final Database database;
    private final PrometheusMeterRegistry metrics;

    public HealthRoutes(Database database, PrometheusMeterRegistry metrics) {
        this.database = database;
        this.metrics = metrics;
    }

    public void routes(Javalin app) {
        app.get("/healthz", ctx -> {
            boolean healthy = database.isHealthy();
            ctx.status(healthy ? 200 : 503)
                    .json(java.util.Map.of(
                            "status", healthy ? "ok" : "unavailable", "database", healthy ? "ok" : "down"));
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
    }
}

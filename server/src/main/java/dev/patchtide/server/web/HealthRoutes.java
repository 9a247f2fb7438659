package dev.patchtide.server.web;

import dev.patchtide.server.db.Database;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code /healthz} for load balancers and {@code /metrics} for Prometheus. */
public final class HealthRoutes {
    private final Database database;
    private final PrometheusMeterRegistry metrics;
    private final MetricsAccess access;

    public HealthRoutes(Database database, PrometheusMeterRegistry metrics, MetricsAccess access) {
        this.database = database;
        this.metrics = metrics;
        this.access = access;
    }

    public void routes(Javalin app) {
        app.get("/healthz", ctx -> {
            boolean healthy = database.isHealthy();
            ctx.status(healthy ? 200 : 503)
                    .json(java.util.Map.of(
                            "status", healthy ? "ok" : "unavailable", "database", healthy ? "ok" : "down"));
        });
        app.get("/metrics", ctx -> {
            switch (access.judge(ctx.req().getRemoteAddr(), ctx.header("Authorization"))) {
                case ALLOWED ->
                    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
                case NOT_LOCAL -> ctx.status(403).result("Metrics are served to this host only.");
                case NO_TOKEN ->
                    ctx.status(401)
                            .header("WWW-Authenticate", "Bearer realm=\"patchtide-metrics\"")
                            .result("Metrics need the bearer token.");
            }
        });
    }
}

package dev.patchtide.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.ErrorWire;
import dev.patchtide.server.api.RequestBody;
import dev.patchtide.server.api.RequestJson;
import dev.patchtide.server.api.StorableText;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.compliance.FleetComplianceApi;
import dev.patchtide.server.compliance.FleetComplianceMessages.ComplianceFilter;
import dev.patchtide.server.compliance.FleetComplianceMessages.ListInstanceComplianceRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * The web dashboard under {@code /dashboard}: static pages (HTML, one script, one style sheet, from the
 * class path) and the JSON they read, which is the API's own answers, behind a session cookie (HttpOnly,
 * SameSite=Strict) instead of Signature V4, which a browser cannot do.
 */
public final class DashboardRoutes {
    static final String COOKIE = "patchtide_session";
    private static final int MAX_PATCHES = 1000;

    /** The dashboard posts only a key pair or a token: a few hundred bytes. */
    private static final int MAX_BODY = 16 * 1024;

    private static final Map<String, String> ASSETS =
            Map.of("dashboard.js", "text/javascript; charset=utf-8", "dashboard.css", "text/css; charset=utf-8");

    private final FleetComplianceApi compliance;
    private final DashboardSessions sessions;
    private final ObjectMapper json;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private OperationsData operations;
    /** An instance's agent version against the shipped one (see {@link #showAgentVersions}). */
    private Function<String, Object> agentVersions = id -> Map.of();

    public DashboardRoutes(
            FleetComplianceApi compliance,
            Jdbi jdbi,
            InstantSource clock,
            ObjectMapper json,
            AccessKeyStore accessKeys) {
        this.compliance = compliance;
        this.sessions = new DashboardSessions(jdbi, clock, accessKeys);
        this.json = json;
        for (String name : List.of(
                "index.html",
                "instance.html",
                "login.html",
                "commands.html",
                "command.html",
                "windows.html",
                "dashboard.js",
                "dashboard.css")) {
            files.put(name, resource(name));
        }
    }

    /** The instance page shows the agent's version next to the latest the server ships (before {@link #routes}). */
    public void showAgentVersions(Function<String, Object> lookup) {
        this.agentVersions = lookup;
    }

    record CreateDashboardLoginLinkRequest() implements ApiRequest {
        @Override
        public void validate(Validation v) {}
    }

    record CreateDashboardLoginLinkResult(String loginPath, Instant expiresAt) {}

    /** {@code Patchtide.CreateDashboardLoginLink}: a one-time link that opens a dashboard session as the caller. */
    public void routes(ApiRouter router) {
        // The Commands and Windows pages run the features' actions through the router, as the session's key.
        operations = new OperationsData(router, json);
        router.register(new Action<>(
                "Patchtide.CreateDashboardLoginLink",
                CreateDashboardLoginLinkRequest.class,
                Access.adminOnly(),
                (q, who) -> {
                    // The token travels in the fragment, which browsers never send to a server or a referrer.
                    DashboardSessions.LoginLink link = sessions.issueLink(((Principal.Admin) who).accessKeyId());
                    return new CreateDashboardLoginLinkResult(
                            "/dashboard/login#token=" + link.token(), link.expiresAt());
                }));
    }

    public void routes(Javalin app) {
        if (operations == null) {
            throw new IllegalStateException("register the dashboard's API actions (routes(ApiRouter)) first");
        }
        errors(app);
        // Javalin ignores trailing slashes: this serves /dashboard too (every link in the pages is absolute).
        app.get("/dashboard/", page("index.html"));
        app.get("/dashboard/instance", page("instance.html"));
        app.get("/dashboard/commands", page("commands.html"));
        app.get("/dashboard/command", page("command.html"));
        app.get("/dashboard/windows", page("windows.html"));
        app.get("/dashboard/login", ctx -> send(ctx, "login.html", "text/html; charset=utf-8"));
        app.get("/dashboard/assets/{file}", ctx -> {
            String type = ASSETS.get(ctx.pathParam("file"));
            if (type == null) {
                ctx.status(404).result("Not found");
                return;
            }
            send(ctx, ctx.pathParam("file"), type);
        });
        app.post("/dashboard/login", ctx -> {
            JsonNode body = jsonBody(ctx);
            startSession(ctx, sessions.open(text(body, "AccessKeyId"), text(body, "SecretAccessKey")));
        });
        app.post("/dashboard/login/link", ctx -> startSession(ctx, sessions.redeem(text(jsonBody(ctx), "Token"))));
        app.post("/dashboard/logout", ctx -> {
            jsonBody(ctx);
            Optional.ofNullable(ctx.cookie(COOKIE)).ifPresent(sessions::close);
            ctx.res().addHeader("Set-Cookie", cookie(ctx, "", 0));
            answer(ctx, 200, Map.of("SignedOut", true));
        });
        app.get(
                "/dashboard/api/summary",
                api(ctx -> compliance.summary(
                        Optional.ofNullable(ctx.queryParam("patchGroup")).filter(g -> !g.isEmpty()))));
        app.get("/dashboard/api/instances", api(ctx -> compliance.list(listRequest(ctx))));
        app.get("/dashboard/api/instances/{id}", api(ctx -> {
            String id = ctx.pathParam("id");
            var instance = compliance
                    .instance(id)
                    .orElseThrow(() ->
                            new ApiException.NotFound("InvalidInstanceId", "Instance Id " + id + " isn't valid."));
            return Map.of(
                    "Instance",
                    instance,
                    "Patches",
                    compliance.patches(id, MAX_PATCHES),
                    "Agent",
                    agentVersions.apply(id));
        }));
        app.get("/dashboard/api/commands", adminApi((ctx, admin) -> operations.commands(nextToken(ctx), admin)));
        app.get(
                "/dashboard/api/commands/{id}",
                adminApi((ctx, admin) -> operations.command(ctx.pathParam("id"), nextToken(ctx), admin)));
        app.get("/dashboard/api/windows", adminApi((ctx, admin) -> operations.windows(nextToken(ctx), admin)));
    }

    private static ListInstanceComplianceRequest listRequest(Context ctx) {
        List<ComplianceFilter> filters = new ArrayList<>();
        for (String key : List.of("Status", "PatchGroup")) {
            String value = ctx.queryParam(key.substring(0, 1).toLowerCase(Locale.ROOT) + key.substring(1));
            if (value != null && !value.isEmpty()) {
                filters.add(new ComplianceFilter(key, List.of(value)));
            }
        }
        String nextToken = ctx.queryParam("nextToken");
        ListInstanceComplianceRequest q = new ListInstanceComplianceRequest(
                filters, 50, nextToken == null || nextToken.isEmpty() ? null : nextToken);
        Validation v = new Validation();
        q.validate(v);
        v.throwIfInvalid();
        return q;
    }

    private static Optional<String> nextToken(Context ctx) {
        return Optional.ofNullable(ctx.queryParam("nextToken")).filter(t -> !t.isEmpty());
    }

    /** A page for signed-in operators; others are sent to the login page first. */
    private Handler page(String name) {
        return ctx -> {
            if (!signedIn(ctx)) {
                noStore(ctx);
                ctx.redirect("/dashboard/login", HttpStatus.SEE_OTHER);
                return;
            }
            send(ctx, name, "text/html; charset=utf-8");
        };
    }

    @FunctionalInterface
    private interface Answer {
        Object from(Context ctx);
    }

    @FunctionalInterface
    private interface AdminAnswer {
        Object from(Context ctx, Principal.Admin admin);
    }

    private Handler api(Answer answer) {
        return adminApi((ctx, admin) -> answer.from(ctx));
    }

    /** JSON for signed-in operators, made as the admin key the session was opened with. */
    private Handler adminApi(AdminAnswer answer) {
        return ctx -> {
            Optional<String> key = Optional.ofNullable(ctx.cookie(COOKIE))
                    .filter(t -> !t.isEmpty())
                    .flatMap(sessions::adminKeyOf);
            if (key.isEmpty()) {
                answer(ctx, 401, error("NotSignedIn", "Sign in to the dashboard first."));
                return;
            }
            try {
                answer(ctx, 200, answer.from(ctx, new Principal.Admin(key.get())));
            } catch (ApiException e) {
                answer(ctx, ErrorWire.pageStatus(e), error(e.code(), e.getMessage()));
            }
        };
    }

    private boolean signedIn(Context ctx) {
        String token = ctx.cookie(COOKIE);
        return token != null && !token.isEmpty() && sessions.isValid(token);
    }

    private void startSession(Context ctx, Optional<String> session) throws IOException {
        if (session.isEmpty()) {
            answer(ctx, 401, error("NotSignedIn", "That key or link is not valid (admin keys only; links work once)."));
            return;
        }
        ctx.res().addHeader("Set-Cookie", cookie(ctx, session.get(), DashboardSessions.SESSION_LIFETIME.toSeconds()));
        answer(ctx, 200, Map.of("SignedIn", true));
    }

    private static String cookie(Context ctx, String value, long maxAge) {
        return COOKIE + "=" + value + "; Path=/dashboard; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (ctx.scheme().equals("https") ? "; Secure" : "");
    }

    /**
     * POST bodies must be JSON: a cross-site HTML form cannot send that without a CORS preflight, which this
     * server never grants (on top of the SameSite=Strict cookie).
     */
    private JsonNode jsonBody(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.startsWith("application/json")) {
            throw new ApiException.Invalid("UnsupportedMediaType", "Send JSON (application/json).");
        }
        JsonNode body = RequestJson.parse(RequestBody.read(ctx, MAX_BODY), json);
        StorableText.check(body);
        return body;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > 256) {
            throw ApiException.validation(field + " is required.");
        }
        return value.asText();
    }

    private void answer(Context ctx, int status, Object body) throws IOException {
        noStore(ctx);
        ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    }

    private static Map<String, String> error(String code, String message) {
        return Map.of("__type", code, "message", message);
    }

    private void send(Context ctx, String name, String contentType) {
        noStore(ctx);
        ctx.header(
                        "Content-Security-Policy",
                        "default-src 'self'; frame-ancestors 'none'; base-uri 'none';" + " form-action 'self'")
                .header("X-Frame-Options", "DENY")
                .contentType(contentType)
                .result(files.get(name));
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
    }

    /** Exceptions from the dashboard's own POST handlers, in the API's error shape. */
    private void errors(Javalin app) {
        app.exception(ApiException.class, (e, ctx) -> {
            noStore(ctx);
            try {
                byte[] answer = json.writeValueAsBytes(error(e.code(), e.getMessage()));
                if (e instanceof ApiException.TooLarge) {
                    RequestBody.answerUnread(ctx, ErrorWire.pageStatus(e), "application/json", answer);
                } else {
                    ctx.status(ErrorWire.pageStatus(e))
                            .contentType("application/json")
                            .result(answer);
                }
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        });
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the class path: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.patchtide.server.tls;

import io.javalin.Javalin;

/** {@code GET /tls/ca.pem}: the certificate to pin, public (it is no secret, and enrolment needs it first). */
public final class CaRoute {
    public static final String PATH = "/tls/ca.pem";

    private final String pem;

    public CaRoute(TlsMaterial tls) {
        this.pem = tls.caPem();
    }

    public void routes(Javalin app) {
        app.get(PATH, ctx -> ctx.contentType("application/x-pem-file").result(pem));
    }
}

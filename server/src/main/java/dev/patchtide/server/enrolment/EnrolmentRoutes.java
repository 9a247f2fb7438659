package dev.patchtide.server.enrolment;

import dev.patchtide.core.Version;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One-line enrolment: {@code GET /enroll.sh}, a POSIX sh script rendered with this server's address (from the
 * Host the script was fetched with) and the agent version it ships, and {@code GET /agent-packages/<file>},
 * the agent packages it was built with. Both are public: they hold nothing secret, the activation does.
 */
public final class EnrolmentRoutes {
    /** A host name, IPv4 or bracketed IPv6 address, with an optional port: what may go into the script. */
    private static final Pattern HOST =
            Pattern.compile("^([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?$");

    private final AgentPackageShelf shelf;
    private final String version;
    private final String template;

    public EnrolmentRoutes(AgentPackageShelf shelf) {
        this(shelf, Version.current());
    }

    EnrolmentRoutes(AgentPackageShelf shelf, String version) {
        this.shelf = shelf;
        this.version = version;
        this.template = loadTemplate();
    }

    public void routes(Javalin app) {
        app.get("/enroll.sh", this::script);
        app.get("/agent-packages/{file}", this::agentPackage);
    }

    private void script(Context ctx) {
        String host = Optional.ofNullable(ctx.header("Host")).orElse("");
        if (!HOST.matcher(host).matches()) {
            ctx.status(400)
                    .contentType("text/plain; charset=utf-8")
                    .result("Host header must be a host name or address with an optional port.\n");
            return;
        }
        String server = ctx.scheme() + "://" + host;
        String script = template.replace("@SERVER@", server)
                .replace("@VERSION@", version)
                .replace("@DEB@", shelf.fileFor(version, "deb").orElse(""))
                .replace("@RPM@", shelf.fileFor(version, "rpm").orElse(""));
        ctx.contentType("text/x-shellscript; charset=utf-8").result(script);
    }

    private void agentPackage(Context ctx) throws IOException {
        String name = ctx.pathParam("file");
        Optional<Path> file = shelf.find(name);
        if (file.isEmpty()) {
            ctx.status(404)
                    .contentType("text/plain; charset=utf-8")
                    .result(
                            shelf.isEmpty()
                                    ? "This server has no agent packages (build them with 'mvn -pl packaging -am package', or install patchtide-server).\n"
                                    : "No such agent package.\n");
            return;
        }
        Path path = file.get();
        ctx.contentType(name.endsWith(".deb") ? "application/vnd.debian.binary-package" : "application/x-rpm");
        ctx.header("Content-Length", Long.toString(Files.size(path)));
        ctx.result(Files.newInputStream(path));
    }

    private static String loadTemplate() {
        try (InputStream in = EnrolmentRoutes.class.getResourceAsStream("enroll.sh")) {
            if (in == null) {
                throw new IllegalStateException("enroll.sh is missing from the server's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

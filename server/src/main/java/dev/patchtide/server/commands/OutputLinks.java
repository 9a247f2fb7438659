package dev.patchtide.server.commands;

import dev.patchtide.server.secrets.SecretBox;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Presigned-style links to an invocation's full output (StandardOutputUrl, StandardErrorUrl): the link names the
 * invocation, the stream and an expiry, and carries an HMAC of all of them under the server key, so whoever holds
 * it may read that output until it expires, and nothing else.
 */
final class OutputLinks {
    static final String PATH = "/commands/output";
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final String PURPOSE = "command-output";

    private final Jdbi jdbi;
    private final SecretBox secrets;
    private final InstantSource clock;
    private final Supplier<URI> publicUrl;

    OutputLinks(Jdbi jdbi, SecretBox secrets, InstantSource clock, Supplier<URI> publicUrl) {
        this.jdbi = jdbi;
        this.secrets = secrets;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    /** @param plugin a step's name, or "" for the invocation's whole output */
    String url(UUID commandId, String instanceId, String plugin, String stream) {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        String base = publicUrl.get().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + PATH + "?command=" + commandId + "&instance=" + encode(instanceId) + "&plugin="
                + encode(plugin) + "&stream=" + stream + "&expires=" + expires + "&signature="
                + signature(commandId.toString(), instanceId, plugin, stream, expires);
    }

    void routes(Javalin app) {
        app.get(PATH, this::serve);
    }

    private void serve(Context ctx) {
        String command = Optional.ofNullable(ctx.queryParam("command")).orElse("");
        String instance = Optional.ofNullable(ctx.queryParam("instance")).orElse("");
        String plugin = Optional.ofNullable(ctx.queryParam("plugin")).orElse("");
        String stream = Optional.ofNullable(ctx.queryParam("stream")).orElse("");
        String given = Optional.ofNullable(ctx.queryParam("signature")).orElse("");
        long expires;
        try {
            expires = Long.parseLong(
                    Optional.ofNullable(ctx.queryParam("expires")).orElse(""));
        } catch (NumberFormatException e) {
            ctx.status(403).result("This link is not valid.");
            return;
        }
        String expected = signature(command, instance, plugin, stream, expires);
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII))) {
            ctx.status(403).result("This link is not valid.");
            return;
        }
        if (clock.instant().getEpochSecond() > expires) {
            ctx.status(403).result("This link has expired; ask for the invocation again for a fresh one.");
            return;
        }
        Optional<String> text = read(UUID.fromString(command), instance, plugin, stream);
        if (text.isEmpty()) {
            ctx.status(404).result("No such output.");
            return;
        }
        ctx.contentType("text/plain; charset=utf-8").result(text.get());
    }

    private Optional<String> read(UUID commandId, String instanceId, String plugin, String stream) {
        boolean stdout = stream.equals("stdout");
        return jdbi.withHandle(h -> h.createQuery("SELECT standard_output, standard_error, plugins"
                        + " FROM command_invocations WHERE command_id = :id AND instance_id = :instance")
                .bind("id", commandId)
                .bind("instance", instanceId)
                .map((rs, ctx) -> {
                    if (plugin.isEmpty()) {
                        return Optional.of(rs.getString(stdout ? "standard_output" : "standard_error"));
                    }
                    return AgentChannel.plugins(rs.getString("plugins")).stream()
                            .filter(p -> p.name().equals(plugin))
                            .findFirst()
                            .map(p -> stdout ? p.standardOutputContent() : p.standardErrorContent())
                            .map(s -> s == null ? "" : s);
                })
                .findOne()
                .flatMap(o -> o));
    }

    private String signature(String commandId, String instanceId, String plugin, String stream, long expires) {
        return secrets.mac(PURPOSE, commandId + "\n" + instanceId + "\n" + plugin + "\n" + stream + "\n" + expires);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

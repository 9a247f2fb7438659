package dev.patchtide.server.workflows;

import dev.patchtide.server.secrets.SecretBox;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The approve and reject links of an approval: {@code /approvals/<id>/<decision>?expires=<epoch s>&signature=<mac>},
 * the MAC (HMAC-SHA256 under the server key, purpose {@code workflow-approval}) covering the approval, the decision
 * and the expiry, so a link cannot be turned into the other decision, another approval or a later expiry. Bound
 * late: the web server's public URL and the server key are known once PatchtideServer wires the web routes.
 */
final class ApprovalLinks {
    static final String PATH = "/approvals";
    private static final String PURPOSE = "workflow-approval";

    private volatile Optional<SecretBox> secrets = Optional.empty();
    private volatile Supplier<URI> publicUrl = () -> URI.create("http://localhost/");

    void bind(SecretBox secrets, Supplier<URI> publicUrl) {
        this.secrets = Optional.of(secrets);
        this.publicUrl = publicUrl;
    }

    boolean bound() {
        return secrets.isPresent();
    }

    String url(String approvalId, String decision, Instant expires) {
        String base = publicUrl.get().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        long e = expires.getEpochSecond();
        return base + PATH + "/" + approvalId + "/" + decision + "?expires=" + e + "&signature="
                + signature(approvalId, decision, e);
    }

    boolean valid(String approvalId, String decision, long expires, String given) {
        byte[] expected = signature(approvalId, decision, expires).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String approvalId, String decision, long expires) {
        return secrets.orElseThrow(() -> new IllegalStateException("approval links are not bound to a server key"))
                .mac(PURPOSE, approvalId + "\n" + decision + "\n" + expires);
    }
}

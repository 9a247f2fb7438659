package dev.patchtide.server.notify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The protocols this server can deliver to; {@code email} only when SMTP is configured. */
final class Channels {
    static final Set<String> ALL_PROTOCOLS = Set.of("email", "http", "https", "slack", "teams", "ticket");

    private final Map<String, Channel> byProtocol = new LinkedHashMap<>();

    Channels(List<Channel> channels) {
        channels.forEach(c -> byProtocol.put(c.protocol(), c));
    }

    Optional<Channel> find(String protocol) {
        return Optional.ofNullable(byProtocol.get(protocol));
    }

    /** The channel of a Subscribe request, or {@code InvalidParameter} naming Protocol. */
    Channel require(String protocol) {
        return find(protocol)
                .orElseThrow(() -> protocol.equals("email")
                        ? SnsErrors.invalidParameter("Protocol Reason: email needs the server's SMTP settings"
                                + " (start it with --smtp-host and --smtp-from)")
                        : SnsErrors.invalidParameter("Amazon SNS does not support this protocol string: " + protocol
                                + "; this server supports " + byProtocol.keySet()));
    }
}

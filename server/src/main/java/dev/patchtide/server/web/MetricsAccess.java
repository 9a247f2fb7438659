package dev.patchtide.server.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may read {@code /metrics}: anyone who reaches the server (the default, the server binding loopback by
 * default), only clients on this host, and/or only holders of a bearer token. A reverse proxy on the same
 * host makes every client look local: put the token on, then.
 *
 * @param loopbackOnly refuse clients whose address is not a loopback address
 * @param bearerToken when present, require {@code Authorization: Bearer <token>}
 */
public record MetricsAccess(boolean loopbackOnly, Optional<String> bearerToken) {
    public MetricsAccess {
        bearerToken = bearerToken == null ? Optional.empty() : bearerToken;
        if (bearerToken.isPresent() && bearerToken.get().isBlank()) {
            throw new IllegalArgumentException("metrics-token must not be blank");
        }
    }

    public static MetricsAccess open() {
        return new MetricsAccess(false, Optional.empty());
    }

    /** The verdict on one scrape. */
    public enum Verdict {
        ALLOWED,
        NOT_LOCAL,
        NO_TOKEN
    }

    /** Judges a scrape from {@code remoteAddress} (an IP literal) carrying {@code authorization} (may be null). */
    public Verdict judge(String remoteAddress, String authorization) {
        if (loopbackOnly && !isLoopback(remoteAddress)) {
            return Verdict.NOT_LOCAL;
        }
        if (bearerToken.isPresent()) {
            byte[] expected = ("Bearer " + bearerToken.get()).getBytes(StandardCharsets.UTF_8);
            byte[] given = (authorization == null ? "" : authorization).getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(expected, given)) { // constant time: the token is a secret
                return Verdict.NO_TOKEN;
            }
        }
        return Verdict.ALLOWED;
    }

    private static boolean isLoopback(String address) {
        try {
            // An IP literal from the connection: parsed, never looked up.
            return address != null
                    && !address.isEmpty()
                    && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "MetricsAccess[loopbackOnly=" + loopbackOnly + ", bearerToken="
                + (bearerToken.isPresent() ? "***" : "none") + "]";
    }
}

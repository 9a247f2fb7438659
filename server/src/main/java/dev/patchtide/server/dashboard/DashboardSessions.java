package dev.patchtide.server.dashboard;

import dev.patchtide.server.auth.AccessKeyStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Browser sessions of the dashboard, for operators: a session is opened with an admin access key (id
 * and secret) or with a one-time login link issued to an admin key, and lasts {@link #SESSION_LIFETIME}
 * or until that key is revoked. Tokens are 256 random bits; the database keeps only their SHA-256, in
 * PostgreSQL so that every server node knows every session.
 */
final class DashboardSessions {
    static final Duration SESSION_LIFETIME = Duration.ofHours(8);
    static final Duration LINK_LIFETIME = Duration.ofMinutes(5);

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final AccessKeyStore accessKeys;
    private final SecureRandom random = new SecureRandom();

    DashboardSessions(Jdbi jdbi, InstantSource clock, AccessKeyStore accessKeys) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.accessKeys = accessKeys;
    }

    /** A new session for a valid admin key; empty for anything else (an instance key, a revoked key, a typo). */
    Optional<String> open(String accessKeyId, String secretAccessKey) {
        // The store holds the secret sealed; it compares in constant time.
        return accessKeys.isActiveAdminKey(accessKeyId, secretAccessKey)
                ? Optional.of(openFor(accessKeyId))
                : Optional.empty();
    }

    /** A one-time login token for an admin key, valid for {@link #LINK_LIFETIME}. */
    LoginLink issueLink(String adminAccessKeyId) {
        String token = newToken();
        Instant expires = now().plus(LINK_LIFETIME);
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO dashboard_login_links (token_sha256, access_key_id,"
                        + " expires_at) VALUES (:hash, :key, :expires)")
                .bind("hash", sha256(token))
                .bind("key", adminAccessKeyId)
                .bind("expires", expires)
                .execute());
        return new LoginLink(token, expires);
    }

    record LoginLink(String token, Instant expiresAt) {}

    /** Exchanges a login token for a session, once: the token is gone afterwards, used or expired. */
    Optional<String> redeem(String linkToken) {
        Instant now = now();
        Optional<String> key = jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM dashboard_login_links WHERE expires_at <= :now")
                    .bind("now", now)
                    .execute();
            return h.createQuery("DELETE FROM dashboard_login_links l USING access_keys k"
                            + " WHERE l.token_sha256 = :hash AND l.expires_at > :now AND k.access_key_id = l.access_key_id"
                            + " AND k.instance_id IS NULL AND k.revoked_at IS NULL RETURNING l.access_key_id")
                    .bind("hash", sha256(linkToken))
                    .bind("now", now)
                    .mapTo(String.class)
                    .findOne();
        });
        return key.map(this::openFor);
    }

    boolean isValid(String sessionToken) {
        return adminKeyOf(sessionToken).isPresent();
    }

    /** The admin key a live session was opened with: the dashboard acts as that key. */
    Optional<String> adminKeyOf(String sessionToken) {
        return jdbi.withHandle(h -> h.createQuery("SELECT s.access_key_id FROM dashboard_sessions s JOIN access_keys k"
                        + " USING (access_key_id) WHERE s.token_sha256 = :hash AND s.expires_at > :now"
                        + " AND k.instance_id IS NULL AND k.revoked_at IS NULL")
                .bind("hash", sha256(sessionToken))
                .bind("now", now())
                .mapTo(String.class)
                .findOne());
    }

    void close(String sessionToken) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM dashboard_sessions WHERE token_sha256 = :hash")
                .bind("hash", sha256(sessionToken))
                .execute());
    }

    private String openFor(String accessKeyId) {
        String token = newToken();
        Instant now = now();
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM dashboard_sessions WHERE expires_at <= :now")
                    .bind("now", now)
                    .execute();
            h.createUpdate("INSERT INTO dashboard_sessions (token_sha256, access_key_id, created_at, expires_at)"
                            + " VALUES (:hash, :key, :now, :expires)")
                    .bind("hash", sha256(token))
                    .bind("key", accessKeyId)
                    .bind("now", now)
                    .bind("expires", now.plus(SESSION_LIFETIME))
                    .execute();
        });
        return token;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

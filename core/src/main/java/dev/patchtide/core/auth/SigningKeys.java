package dev.patchtide.core.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Derived Signature V4 signing keys, kept per secret, day, region and service: a signature is then one HMAC
 * instead of five, on both sides (a server verifying ten thousand agents' requests, an agent signing its own).
 * Bounded: when full it is emptied and refilled on demand, so at most a day's change costs the derivation again.
 */
final class SigningKeys {
    static final int MAX_ENTRIES = 65_536;

    private record Scope(String secret, String date, String region, String service) {}

    private static final ConcurrentHashMap<Scope, byte[]> KEYS = new ConcurrentHashMap<>();

    private SigningKeys() {}

    static byte[] key(String secretAccessKey, String date, String region, String service) {
        Scope scope = new Scope(secretAccessKey, date, region, service);
        byte[] key = KEYS.get(scope);
        if (key == null) {
            key = SigV4.signingKey(secretAccessKey, date, region, service);
            if (KEYS.size() >= MAX_ENTRIES) {
                KEYS.clear();
            }
            KEYS.put(scope, key);
        }
        return key;
    }

    static int size() {
        return KEYS.size();
    }
}

package dev.patchtide.server.api;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The id every answer carries ({@code x-amzn-RequestId}): a random UUID in AWS's form (version 4). A request id
 * names a request in logs and support questions, it grants nothing, so it needs to be unique, not unguessable:
 * {@link UUID#randomUUID()} draws from the shared {@code SecureRandom}, a lock and a read of the kernel's source
 * on every request (JFR: as much as the whole response write).
 */
final class RequestIds {
    private RequestIds() {}

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }
}

package dev.patchtide.server.workflows;

import dev.patchtide.workflow.run.Environment;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The world as the interpreter sees it on a server: the server's clock and unguessable task tokens (the token is
 * the only proof a SendTask* caller has, so it carries 384 random bits).
 */
final class HostEnvironment implements Environment {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InstantSource clock;

    HostEnvironment(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public String newTaskToken() {
        byte[] bytes = new byte[48];
        RANDOM.nextBytes(bytes);
        return "AQ" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String newUuid() {
        return UUID.randomUUID().toString();
    }

    @Override
    public double random() {
        return ThreadLocalRandom.current().nextDouble();
    }
}

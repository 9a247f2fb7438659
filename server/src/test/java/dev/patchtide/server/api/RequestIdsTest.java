package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    private static final Pattern FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    @Test
    void idsAreVersionFourUuidsAndDoNotRepeat() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            String id = RequestIds.next();
            assertThat(id).matches(FORM);
            UUID parsed = UUID.fromString(id);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(seen.add(id)).as(id).isTrue();
        }
        // New (virtual) threads, as Jetty runs each request on, draw their own sequences.
        Set<String> fromThreads = java.util.Collections.synchronizedSet(new HashSet<>());
        Thread[] threads = new Thread[200];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofVirtual().start(() -> fromThreads.add(RequestIds.next()));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(fromThreads).hasSize(threads.length).doesNotContainAnyElementsOf(seen);
    }
}

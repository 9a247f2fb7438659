package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentVersionsTest {
    private final AgentVersions versions = new AgentVersions("1.10.0-SNAPSHOT");

    @Test
    void anAgentIsLatestWhenItsDottedNumbersReachTheServers() {
        assertThat(versions.isLatest("1.10.0")).isTrue();
        assertThat(versions.isLatest("1.10")).isTrue();
        assertThat(versions.isLatest("1.10.0.1")).isTrue();
        assertThat(versions.isLatest("2.0.0")).isTrue();
        assertThat(versions.isLatest("1.9.12")).isFalse(); // by number, not by text
        assertThat(versions.isLatest("1.2.0")).isFalse();
        assertThat(versions.isLatest("0.99.99")).isFalse();
        assertThat(versions.isLatest(null)).isNull();
    }

    @Test
    void aPageJudgesEveryRowAgainstOneReadingOfTheLatest() {
        java.util.concurrent.atomic.AtomicInteger readings = new java.util.concurrent.atomic.AtomicInteger();
        AgentVersions shelf = new AgentVersions(() -> {
            readings.incrementAndGet();
            return "1.10.0";
        });
        java.util.function.Function<String, Boolean> page = shelf.againstLatest();
        assertThat(page.apply("1.10.0")).isTrue();
        assertThat(page.apply("1.9.12")).isFalse();
        assertThat(page.apply("2.0")).isTrue();
        assertThat(page.apply(null)).isNull();
        assertThat(readings).hasValue(1);
    }
}

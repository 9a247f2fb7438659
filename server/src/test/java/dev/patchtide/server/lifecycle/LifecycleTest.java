package dev.patchtide.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LifecycleTest {
    enum Light {
        RED,
        GREEN,
        AMBER
    }

    private final Lifecycle<Light> light = Lifecycle.of("light", Light.class)
            .on("go", Light.RED, Light.GREEN)
            .on("slow", Light.GREEN, Light.AMBER)
            .on("stop", Light.AMBER, Light.RED)
            .build();

    @Test
    void forbiddenMoveIsAProgrammingErrorNamingBothStates() {
        assertThat(light.allows(Light.RED, Light.GREEN)).isTrue();
        assertThat(light.allows(Light.RED, Light.AMBER)).isFalse();
        assertThat(light.require(Light.GREEN, Light.AMBER).trigger()).isEqualTo("slow");
        assertThatThrownBy(() -> light.require(Light.RED, Light.AMBER))
                .isInstanceOf(Lifecycle.IllegalTransition.class)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("light cannot go from RED to AMBER");
        assertThatThrownBy(() -> light.taken(Light.GREEN, Light.GREEN)).isInstanceOf(Lifecycle.IllegalTransition.class);
    }

    @Test
    void recordingSeesTakenTransitionsUntilClosedAndNamesTheMissingOnes() {
        Lifecycle.Recording<Light> recording = light.record();
        light.taken(Light.RED, Light.GREEN);
        assertThat(recording.missing())
                .extracting(Lifecycle.Transition::trigger)
                .containsExactly("slow", "stop");
        recording.close();
        light.taken(Light.GREEN, Light.AMBER);
        assertThat(recording.taken()).extracting(Lifecycle.Transition::trigger).containsExactly("go");
    }

    @Test
    void aTransitionListedTwiceIsRefused() {
        assertThatThrownBy(() -> Lifecycle.of("light", Light.class)
                        .on("go", Light.RED, Light.GREEN)
                        .on("go again", Light.RED, Light.GREEN)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listed twice");
    }
}

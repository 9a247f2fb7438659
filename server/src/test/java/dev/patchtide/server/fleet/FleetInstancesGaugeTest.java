package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** {@code patchtide_fleet_instances} counts the registered instances, and keeps counting after a GC. */
class FleetInstancesGaugeTest {

    @Test
    void twoRegisteredInstancesReadAsTwoOnlineEvenAfterAGarbageCollection() throws Exception {
        MutableClock clock = MutableClock.ofNow();
        try (TestServer server = TestServer.start(clock)) {
            CreateActivationResponse activation =
                    server.ssm().createActivation(b -> b.iamRole("fleet-role").registrationLimit(5));
            for (String host : new String[] {"web-1", "web-2"}) {
                FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode())
                        .report(host, "10.0.0.1");
            }
            // The gauge's object was held only weakly before: a collection turned the figure into NaN.
            System.gc();
            clock.advance(Duration.ofSeconds(2)); // past the gauge's one-second cache

            String metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();

            assertThat(metrics)
                    .contains("patchtide_fleet_instances{ping_status=\"Online\"} 2.0")
                    .contains("patchtide_fleet_instances{ping_status=\"ConnectionLost\"} 0.0");
        }
    }
}

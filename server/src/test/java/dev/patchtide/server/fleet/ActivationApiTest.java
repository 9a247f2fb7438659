package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Activation;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.DescribeActivationsFilterKeys;
import software.amazon.awssdk.services.ssm.model.DescribeActivationsResponse;
import software.amazon.awssdk.services.ssm.model.InvalidActivationIdException;
import software.amazon.awssdk.services.ssm.model.InvalidNextTokenException;
import software.amazon.awssdk.services.ssm.model.InvalidParametersException;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ActivationApiTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void createdActivationIsDescribedWithItsSettingsButNeverItsCode() {
        CreateActivationResponse created = server.ssm().createActivation(b -> b.iamRole("web-role")
                .description("web tier")
                .defaultInstanceName("web")
                .registrationLimit(5)
                .expirationDate(clock.instant().plus(Duration.ofDays(2)))
                .tags(Tag.builder().key("team").value("platform").build()));

        assertThat(created.activationId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(created.activationCode()).hasSizeGreaterThanOrEqualTo(20);

        Activation described = server.ssm()
                .describeActivations(b -> b.filters(f -> f.filterKey(DescribeActivationsFilterKeys.ACTIVATION_IDS)
                        .filterValues(created.activationId())))
                .activationList()
                .getFirst();
        assertThat(described.description()).isEqualTo("web tier");
        assertThat(described.defaultInstanceName()).isEqualTo("web");
        assertThat(described.iamRole()).isEqualTo("web-role");
        assertThat(described.registrationLimit()).isEqualTo(5);
        assertThat(described.registrationsCount()).isZero();
        assertThat(described.expired()).isFalse();
        assertThat(described.expirationDate())
                .isEqualTo(clock.instant().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(described.tags())
                .containsExactly(Tag.builder().key("team").value("platform").build());
    }

    @Test
    void activationDefaultsToOneRegistrationForOneDay() {
        String id = server.ssm().createActivation(b -> b.iamRole("r")).activationId();
        Activation described = describe(id);
        assertThat(described.registrationLimit()).isEqualTo(1);
        assertThat(Duration.between(described.createdDate(), described.expirationDate()))
                .isEqualTo(Duration.ofDays(1));
    }

    @Test
    void describeFiltersByIamRoleAndPagesThroughEverything() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(server.ssm().createActivation(b -> b.iamRole("paged-role")).activationId());
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String current = token;
            DescribeActivationsResponse page = server.ssm()
                    .describeActivations(b -> b.maxResults(3).nextToken(current).filters(f -> f.filterKey(
                                    DescribeActivationsFilterKeys.IAM_ROLE)
                            .filterValues("paged-role")));
            page.activationList().forEach(a -> seen.add(a.activationId()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void expiredActivationIsReportedAsExpired() {
        MutableClock own = MutableClock.ofNow();
        try (TestServer local = TestServer.start(own)) {
            String id = local.ssm()
                    .createActivation(
                            b -> b.iamRole("r").expirationDate(own.instant().plus(Duration.ofHours(1))))
                    .activationId();
            own.advance(Duration.ofHours(2));
            Activation described = local.ssm()
                    .describeActivations(b -> b.filters(f -> f.filterKey(DescribeActivationsFilterKeys.ACTIVATION_IDS)
                            .filterValues(id)))
                    .activationList()
                    .getFirst();
            assertThat(described.expired()).isTrue();
        }
    }

    @Test
    void invalidRequestsAreRefusedWithTheFieldNamedAndNothingCreated() {
        int before = server.ssm()
                .describeActivations(b -> b.maxResults(50))
                .activationList()
                .size();

        assertThatThrownBy(
                        () -> server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(1001)))
                .isInstanceOf(SsmException.class)
                .satisfies(e -> assertThat(((SsmException) e).awsErrorDetails().errorCode())
                        .isEqualTo("ValidationException"))
                .hasMessageContaining("registrationLimit")
                .hasMessageContaining("less than or equal to 1000");
        assertThatThrownBy(() -> server.ssm().createActivation(b -> b.iamRole("x".repeat(65))))
                .hasMessageContaining("iamRole");
        assertThatThrownBy(() -> server.ssm().createActivation(b -> b.iamRole("r")
                        .expirationDate(clock.instant().minusSeconds(5))))
                .isInstanceOf(InvalidParametersException.class)
                .hasMessageContaining("ExpirationDate");
        assertThatThrownBy(() -> server.ssm().createActivation(b -> b.iamRole("r")
                        .expirationDate(clock.instant().plus(Duration.ofDays(31)))))
                .isInstanceOf(InvalidParametersException.class);
        assertThatThrownBy(() -> server.ssm().createActivation(b -> b.iamRole("r")
                        .tags(Tag.builder().key("bad<key>").value("v").build())))
                .hasMessageContaining("tags.1.member.key");

        assertThat(server.ssm().describeActivations(b -> b.maxResults(50)).activationList())
                .hasSize(before);
    }

    @Test
    void deleteHidesTheActivationAndASecondDeleteFails() {
        String id = server.ssm().createActivation(b -> b.iamRole("r")).activationId();
        server.ssm().deleteActivation(b -> b.activationId(id));
        assertThat(server.ssm()
                        .describeActivations(
                                b -> b.filters(f -> f.filterKey(DescribeActivationsFilterKeys.ACTIVATION_IDS)
                                        .filterValues(id)))
                        .activationList())
                .isEmpty();
        assertThatThrownBy(() -> server.ssm().deleteActivation(b -> b.activationId(id)))
                .isInstanceOf(InvalidActivationIdException.class);
    }

    @Test
    void foreignNextTokenIsRefused() {
        assertThatThrownBy(() -> server.ssm().describeActivations(b -> b.nextToken("not-a-token")))
                .isInstanceOf(InvalidNextTokenException.class);
    }

    private static Activation describe(String id) {
        return server.ssm()
                .describeActivations(b -> b.filters(f -> f.filterKey(DescribeActivationsFilterKeys.ACTIVATION_IDS)
                        .filterValues(id)))
                .activationList()
                .getFirst();
    }
}

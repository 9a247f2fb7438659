package dev.patchtide.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateCaTest {
    private static final SortedSet<String> NAMES =
            new TreeSet<>(java.util.List.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "patch.example.net"));

    @Test
    void theCaIsMadeOnceAndTheServerCertificateReusedUntilNamesChangeOrItNearsItsEnd(@TempDir Path dir)
            throws Exception {
        MutableClock clock = MutableClock.ofNow();
        PrivateCa ca = new PrivateCa(dir.resolve("tls"), clock);
        TlsMaterial first = ca.loadOrCreate(NAMES);
        assertThat(PrivateCa.subjectAltNames(first.serverCertificate())).isEqualTo(NAMES);
        first.serverCertificate().verify(first.ca().getPublicKey());
        first.serverCertificate().checkValidity();
        assertThat(first.ca().getBasicConstraints()).isZero();
        assertThat(first.serverCertificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        for (String key : new String[] {"ca.key", "server.key"}) {
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(dir.resolve("tls").resolve(key))))
                    .as(key)
                    .isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls"))))
                .isEqualTo("rwx------");

        TlsMaterial again = new PrivateCa(dir.resolve("tls"), clock).loadOrCreate(NAMES);
        assertThat(again.caFingerprint()).isEqualTo(first.caFingerprint());
        assertThat(again.serverCertificate()).isEqualTo(first.serverCertificate());
        assertThat(again.key().getEncoded()).isEqualTo(first.key().getEncoded());

        SortedSet<String> moreNames = new TreeSet<>(NAMES);
        moreNames.add("10.1.2.3");
        TlsMaterial renamed = ca.loadOrCreate(moreNames);
        assertThat(renamed.caFingerprint()).isEqualTo(first.caFingerprint());
        assertThat(renamed.serverCertificate()).isNotEqualTo(first.serverCertificate());
        assertThat(PrivateCa.subjectAltNames(renamed.serverCertificate())).contains("10.1.2.3");

        // 29 days before its end it is made again, by the same CA.
        Duration untilEnd = Duration.between(
                clock.instant(), renamed.serverCertificate().getNotAfter().toInstant());
        clock.advance(untilEnd.minus(Duration.ofDays(29)));
        TlsMaterial renewed = ca.loadOrCreate(moreNames);
        assertThat(renewed.caFingerprint()).isEqualTo(first.caFingerprint());
        assertThat(renewed.serverCertificate().getNotAfter())
                .isAfter(renamed.serverCertificate().getNotAfter());
        renewed.serverCertificate().verify(first.ca().getPublicKey());
    }

    @Test
    void aHalfCaIsNotReplacedSilently(@TempDir Path dir) throws Exception {
        PrivateCa ca = new PrivateCa(dir, MutableClock.ofNow());
        ca.loadOrCreate(NAMES);
        Files.delete(dir.resolve("ca.key"));
        assertThatThrownBy(() -> ca.loadOrCreate(NAMES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ca.key is missing");
    }

    @Test
    void givenCertificateAndKeyMustBelongTogether(@TempDir Path dir) throws Exception {
        new PrivateCa(dir.resolve("a"), MutableClock.ofNow()).loadOrCreate(NAMES);
        new PrivateCa(dir.resolve("b"), MutableClock.ofNow()).loadOrCreate(NAMES);
        TlsMaterial given = TlsMaterial.fromFiles(dir.resolve("a/server.pem"), dir.resolve("a/server.key"));
        assertThat(given.chain()).hasSize(2);
        assertThat(given.caFingerprint())
                .isEqualTo(Fingerprints.certificate(
                        Pem.readCertificates(dir.resolve("a/ca.pem"), "x").getFirst()));
        assertThatThrownBy(() -> TlsMaterial.fromFiles(dir.resolve("a/server.pem"), dir.resolve("b/server.key")))
                .hasMessage("tls-key is not the key of the first certificate in tls-cert");
        assertThatThrownBy(() -> TlsMaterial.fromFiles(dir.resolve("a/server.key"), dir.resolve("a/server.key")))
                .hasMessageStartingWith("tls-cert holds no PEM certificate");
    }

    @Test
    void plainHttpIsRefusedBeyondLoopbackNamingTheSetting(@TempDir Path dir) throws Exception {
        assertThatThrownBy(
                        () -> new ServerConfig("0.0.0.0", 0, "us-east-1", "123456789012", PingStatusPolicy.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "insecure-http serves plain HTTP on a loopback address only, but bind is 0.0.0.0");
        TlsMaterial tls = new PrivateCa(dir, MutableClock.ofNow()).loadOrCreate(NAMES);
        ServerConfig everywhere =
                new ServerConfig("127.0.0.1", 0, "us-east-1", "123456789012", PingStatusPolicy.defaults()).withTls(tls);
        assertThat(new ServerConfig(
                                "0.0.0.0",
                                0,
                                "us-east-1",
                                "123456789012",
                                PingStatusPolicy.defaults(),
                                everywhere.secretKey(),
                                Optional.empty(),
                                Optional.empty(),
                                everywhere.metricsAccess(),
                                Optional.of(tls))
                        .scheme())
                .isEqualTo("https");
    }
}

package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;

/**
 * The one-line enrolment against a real server (plain HTTP: the script follows the server's scheme): the
 * script the server renders installs the package the server hosts into a throwaway root and registers a
 * second agent with its own state folder; run again, it installs and registers nothing.
 */
class EnrolmentIT {
    private static final String VERSION = System.getProperty("packaging.version", "0.1.0");
    private static final Path DEB =
            Path.of(System.getProperty("packaging.out", "target")).resolve("patchtide-agent_" + VERSION + "_amd64.deb");

    @Test
    void theServedScriptEnrolsASecondAgentOnceAndARerunChangesNothing(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg") && Host.onPath("curl"))
                .as("dpkg and curl on PATH")
                .isTrue();
        try (TestServer server = TestServer.start(InstantSource.system())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> fetched = http.send(
                    HttpRequest.newBuilder(server.endpoint().resolve("/enroll.sh"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fetched.statusCode()).isEqualTo(200);
            String base = "http://" + server.endpoint().getHost() + ":"
                    + server.endpoint().getPort();
            assertThat(fetched.body())
                    .startsWith("#!/bin/sh")
                    .contains("SERVER='" + base + "'")
                    .contains("DEB='patchtide-agent_" + VERSION + "_amd64.deb'");

            // The package it hosts is the one this build made, byte for byte.
            HttpResponse<byte[]> deb = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/agent-packages/" + DEB.getFileName()))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(deb.statusCode()).isEqualTo(200);
            assertThat(sha256(deb.body())).isEqualTo(sha256(Files.readAllBytes(DEB)));
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/agent-packages/..%2Fpom.xml"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(404);

            // A first agent is there already (its own state); the script enrols a second one.
            CreateActivationResponse first = server.ssm().createActivation(b -> b.iamRole("first"));
            Path root = dir.resolve("root");
            PackagedAgentIT.install(root);
            Host.ok(
                    dir,
                    root.resolve("usr/bin/patchtide-agent").toString(),
                    "register",
                    "--server",
                    base,
                    "--activation-id",
                    first.activationId(),
                    "--activation-code",
                    first.activationCode(),
                    "--state-dir",
                    dir.resolve("first-agent").toString());

            Path host = dir.resolve("host");
            Files.createDirectories(host.resolve("var/lib/dpkg/info"));
            Files.createDirectories(host.resolve("var/lib/dpkg/updates"));
            Files.createDirectories(host.resolve("var/log"));
            Files.writeString(host.resolve("var/lib/dpkg/status"), "");
            Files.writeString(host.resolve("var/lib/dpkg/available"), "");
            Path script = dir.resolve("enroll.sh");
            Files.writeString(script, fetched.body());
            Path state = dir.resolve("second-agent");
            CreateActivationResponse second = server.ssm().createActivation(b -> b.iamRole("second"));
            List<String> enrol = List.of(
                    "sh",
                    script.toString(),
                    "--activation-id",
                    second.activationId(),
                    "--activation-code",
                    second.activationCode(),
                    "--root",
                    host.toString(),
                    "--state-dir",
                    state.toString(),
                    "--no-start");

            Host once = Host.run(dir, enrol);
            assertThat(once.exit()).as(once.output()).isZero();
            assertThat(once.output())
                    .contains("installed patchtide-agent " + VERSION)
                    .contains("Registered as mi-")
                    .contains("not started (--no-start)");
            assertThat(host.resolve("usr/bin/patchtide-agent")).isExecutable();
            String registration = Files.readString(state.resolve("registration.json"));
            List<InstanceInformation> instances = instances(server);
            assertThat(instances).hasSize(2);
            String secondId = instances.stream()
                    .map(InstanceInformation::instanceId)
                    .filter(registration::contains)
                    .findFirst()
                    .orElseThrow();

            Host again = Host.run(dir, enrol);
            assertThat(again.exit()).as(again.output()).isZero();
            assertThat(again.output())
                    .contains("patchtide-agent " + VERSION + " is installed already")
                    .contains("registered already")
                    .doesNotContain("Registered as")
                    .doesNotContain("Unpacking");
            assertThat(Files.readString(state.resolve("registration.json"))).isEqualTo(registration);
            assertThat(instances(server)).hasSize(2).anySatisfy(i -> assertThat(i.instanceId())
                    .isEqualTo(secondId));
            assertThat(Files.readString(host.resolve("var/log/dpkg.log"))).containsOnlyOnce("install patchtide-agent");

            // Bad input: refused before anything happens.
            Host missing = Host.run(dir, List.of("sh", script.toString(), "--activation-id", "x"));
            assertThat(missing.exit()).isEqualTo(2);
            assertThat(missing.output()).contains("--activation-code is required");
        }
    }

    private static List<InstanceInformation> instances(TestServer server) {
        return server.ssm().describeInstanceInformation(b -> {}).instanceInformationList();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

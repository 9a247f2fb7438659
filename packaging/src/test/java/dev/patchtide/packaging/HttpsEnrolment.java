package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.AwsCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The one-line enrolment over HTTPS, end to end, against the installed server: the exact line the installed
 * {@code patchtide activations create} prints (curl pinning the server's key, {@code sudo sh -s -- …} with the
 * CA's fingerprint), with only the test's {@code --root --state-dir --no-start} added, installs the agent
 * package the server hosts into a throwaway root and registers it with its own state folder; run again, it
 * changes nothing; with a wrong fingerprint it refuses, saying so, before it downloads or registers anything.
 */
final class HttpsEnrolment {
    private static final String VERSION = System.getProperty("packaging.version", "0.1.0");

    private HttpsEnrolment() {}

    static void enrolsOnceAndRefusesAWrongFingerprint(Path dir, Path root, PackagedServerIT.PackagedServer server)
            throws Exception {
        String created = Host.ok(
                dir,
                root.resolve("usr/bin/patchtide").toString(),
                "activations",
                "create",
                "--registration-limit",
                "3",
                "--data-dir",
                server.data().toString());
        String line = created.lines()
                .map(String::strip)
                .filter(l -> l.startsWith("curl "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no curl line in:\n" + created));
        assertThat(line)
                .startsWith("curl -fsS -k --pinnedpubkey 'sha256//")
                .contains(" " + server.url() + "/enroll.sh | sudo sh -s -- --activation-id ")
                .containsPattern("--ca-fingerprint sha256:[0-9a-f]{64}$");

        // This test runs as root; where the machine has no sudo, a stand-in that runs its arguments as they are.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path sudo = Files.writeString(bin.resolve("sudo"), "#!/bin/sh\nexec \"$@\"\n");
        assertThat(sudo.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));

        Path host = dir.resolve("host");
        for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log")) {
            Files.createDirectories(host.resolve(d));
        }
        Files.writeString(host.resolve("var/lib/dpkg/status"), "");
        Files.writeString(host.resolve("var/lib/dpkg/available"), "");
        Path state = dir.resolve("enrolled-agent");
        String testOnly = " --root " + host + " --state-dir " + state + " --no-start";

        Host once = Host.run(dir, List.of("sh", "-c", line + testOnly), env);
        assertThat(once.exit()).as(once.output()).isZero();
        assertThat(once.output())
                .contains("installed patchtide-agent " + VERSION)
                .contains("Registered as mi-")
                .contains("not started (--no-start)")
                .doesNotContain("plain HTTP");
        assertThat(host.resolve("usr/bin/patchtide-agent")).isExecutable();
        String registration = Files.readString(state.resolve("registration.json"));
        assertThat(registration).contains(server.url());
        // the CA it pinned is the server's (the same certificate, whatever the PEM's line breaks)
        assertThat(Files.readString(state.resolve("server-ca.pem")).replaceAll("\\s", ""))
                .isEqualTo(Files.readString(server.data().resolve("tls/ca.pem")).replaceAll("\\s", ""));
        String instanceId = registration.replaceAll("(?s).*\"(mi-[0-9a-f]{17})\".*", "$1");
        assertThat(instances(dir, server)).containsExactly(instanceId);

        Host again = Host.run(dir, List.of("sh", "-c", line + testOnly), env);
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output())
                .contains("patchtide-agent " + VERSION + " is installed already")
                .contains("registered already")
                .doesNotContain("Registered as")
                .doesNotContain("Unpacking");
        assertThat(Files.readString(state.resolve("registration.json"))).isEqualTo(registration);
        assertThat(Files.readString(host.resolve("var/log/dpkg.log"))).containsOnlyOnce("install patchtide-agent");

        // One changed hex digit of the fingerprint: refused, named, and nothing else happens.
        String fingerprint = line.replaceAll(".*--ca-fingerprint sha256:([0-9a-f]{64})$", "$1");
        String wrong = (fingerprint.charAt(0) == '0' ? "1" : "0") + fingerprint.substring(1);
        Path otherHost = dir.resolve("other-host");
        Files.createDirectories(otherHost);
        Path otherState = dir.resolve("other-agent");
        Host refused = Host.run(
                dir,
                List.of(
                        "sh",
                        "-c",
                        line.replace(fingerprint, wrong) + " --root " + otherHost + " --state-dir " + otherState
                                + " --no-start"),
                env);
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output())
                .contains("the server's CA has fingerprint sha256:" + fingerprint + ", not sha256:" + wrong
                        + ": refusing to enrol");
        assertThat(otherState).doesNotExist();
        assertThat(otherHost.resolve("usr")).doesNotExist();
        assertThat(instances(dir, server)).containsExactly(instanceId);
    }

    /** The managed instances, through the AWS CLI and the server's admin profile. */
    private static List<String> instances(Path dir, PackagedServerIT.PackagedServer server) throws Exception {
        Host listed = Host.run(
                dir,
                List.of(
                        AwsCli.executable(),
                        "ssm",
                        "describe-instance-information",
                        "--query",
                        "InstanceInformationList[].InstanceId",
                        "--output",
                        "text"),
                server.awsEnvironment());
        assertThat(listed.exit()).as(listed.output()).isZero();
        return List.of(listed.output().strip().split("\\s+")).stream()
                .filter(s -> !s.isEmpty() && !s.equals("None"))
                .toList();
    }
}

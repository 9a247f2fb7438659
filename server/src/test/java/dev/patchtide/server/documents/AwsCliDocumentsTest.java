package dev.patchtide.server.documents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.AwsCli;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS CLI, run as a process, creates, reads, versions and deletes a YAML Command document. */
class AwsCliDocumentsTest {
    TestServer server;
    AwsCli cli;

    @TempDir
    Path folder;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(AwsCli.present(), "the aws CLI is not installed: AWS CLI tests skipped");
        server = TestServer.start(MutableClock.ofNow());
        cli = AwsCli.against(folder, server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void documentLifecycleThroughTheCli() throws Exception {
        Path yaml = folder.resolve("disk-usage.yaml");
        Files.writeString(
                yaml,
                """
                schemaVersion: "2.2"
                description: Shows disk usage
                parameters:
                  path:
                    type: String
                    default: /
                mainSteps:
                  - action: aws:runShellScript
                    name: df
                    inputs:
                      runCommand:
                        - df -h {{ path }}
                """);
        JsonNode created = cli.ok(
                        "ssm",
                        "create-document",
                        "--name",
                        "disk-usage",
                        "--document-type",
                        "Command",
                        "--document-format",
                        "YAML",
                        "--content",
                        "file://" + yaml,
                        "--tags",
                        "Key=team,Value=ops")
                .json()
                .path("DocumentDescription");
        assertThat(created.path("DocumentVersion").asText()).isEqualTo("1");
        assertThat(created.path("Parameters").get(0).path("Name").asText()).isEqualTo("path");

        JsonNode asJson = cli.ok("ssm", "get-document", "--name", "disk-usage", "--document-format", "JSON")
                .json();
        assertThat(asJson.path("DocumentFormat").asText()).isEqualTo("JSON");
        assertThat(asJson.path("Content").asText()).contains("\"df -h {{ path }}\"");

        assertThat(names(cli.ok("ssm", "list-documents", "--filters", "Key=Owner,Values=Self")
                        .json()))
                .containsExactly("disk-usage");
        assertThat(names(cli.ok("ssm", "list-documents", "--document-filter-list", "key=Owner,value=Amazon")
                        .json()))
                .contains("AWS-RunPatchBaseline", "AWS-RunShellScript");

        Files.writeString(yaml, Files.readString(yaml).replace("Shows disk usage", "Shows disk usage, v2"));
        cli.ok(
                "ssm",
                "update-document",
                "--name",
                "disk-usage",
                "--document-format",
                "YAML",
                "--document-version",
                "$LATEST",
                "--content",
                "file://" + yaml);
        cli.ok("ssm", "update-document-default-version", "--name", "disk-usage", "--document-version", "2");
        JsonNode described = cli.ok("ssm", "describe-document", "--name", "disk-usage")
                .json()
                .path("Document");
        assertThat(described.path("DefaultVersion").asText()).isEqualTo("2");
        assertThat(described.path("Description").asText()).isEqualTo("Shows disk usage, v2");
        assertThat(cli.ok("ssm", "list-document-versions", "--name", "disk-usage")
                        .json()
                        .path("DocumentVersions")
                        .size())
                .isEqualTo(2);

        Files.writeString(yaml, Files.readString(yaml).replace("aws:runShellScript", "aws:runPowerShellScript"));
        AwsCli.Result refused = cli.run(
                "ssm", "create-document", "--name", "bad", "--document-format", "YAML", "--content", "file://" + yaml);
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("InvalidDocumentContent").contains("mainSteps[0].action");

        cli.ok("ssm", "delete-document", "--name", "disk-usage");
        AwsCli.Result gone = cli.run("ssm", "describe-document", "--name", "disk-usage");
        assertThat(gone.exit()).isNotZero();
        assertThat(gone.err()).contains("InvalidDocument");
    }

    private static List<String> names(JsonNode listed) {
        List<String> names = new ArrayList<>();
        listed.path("DocumentIdentifiers").forEach(d -> names.add(d.path("Name").asText()));
        return names;
    }
}

package dev.patchtide.server.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DocumentAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.DocumentDescription;
import software.amazon.awssdk.services.ssm.model.DocumentFormat;
import software.amazon.awssdk.services.ssm.model.DocumentIdentifier;
import software.amazon.awssdk.services.ssm.model.DocumentParameter;
import software.amazon.awssdk.services.ssm.model.DocumentType;
import software.amazon.awssdk.services.ssm.model.DocumentVersionInfo;
import software.amazon.awssdk.services.ssm.model.DuplicateDocumentContentException;
import software.amazon.awssdk.services.ssm.model.GetDocumentResponse;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentContentException;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentException;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentOperationException;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentSchemaVersionException;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentTypeException;
import software.amazon.awssdk.services.ssm.model.InvalidDocumentVersionException;
import software.amazon.awssdk.services.ssm.model.InvalidFilterKeyException;
import software.amazon.awssdk.services.ssm.model.InvalidNextTokenException;
import software.amazon.awssdk.services.ssm.model.ListDocumentsResponse;
import software.amazon.awssdk.services.ssm.model.MaxDocumentSizeExceededException;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class DocumentApiTest {
    static final String HELLO =
            """
            {
              "schemaVersion": "2.2",
              "description": "Says hello",
              "parameters": {
                "who": {"type": "String", "default": "world", "description": "whom to greet"},
                "times": {"type": "Integer", "default": 1}
              },
              "mainSteps": [
                {"action": "aws:runShellScript", "name": "hello",
                 "inputs": {"runCommand": ["echo hello {{ who }}"]}}
              ]
            }
            """;

    TestServer server;
    SsmClient ssm;
    MutableClock clock = MutableClock.ofNow();

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        ssm = server.ssm();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createDescribeGetAndTag() {
        DocumentDescription created = ssm.createDocument(b -> b.name("hello")
                        .content(HELLO)
                        .documentType(DocumentType.COMMAND)
                        .tags(Tag.builder().key("team").value("ops").build()))
                .documentDescription();
        assertThat(created.name()).isEqualTo("hello");
        assertThat(created.documentVersion()).isEqualTo("1");
        assertThat(created.latestVersion()).isEqualTo("1");
        assertThat(created.defaultVersion()).isEqualTo("1");
        assertThat(created.statusAsString()).isEqualTo("Active");
        assertThat(created.owner()).isEqualTo("123456789012");
        assertThat(created.schemaVersion()).isEqualTo("2.2");
        assertThat(created.documentFormat()).isEqualTo(DocumentFormat.JSON);
        assertThat(created.hashTypeAsString()).isEqualTo("Sha256");
        assertThat(created.hash()).isEqualTo(DocumentContent.sha256(HELLO));
        assertThat(created.platformTypesAsStrings()).containsExactly("Linux");
        assertThat(created.description()).isEqualTo("Says hello");
        assertThat(created.parameters())
                .extracting(DocumentParameter::name, DocumentParameter::typeAsString, DocumentParameter::defaultValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("who", "String", "world"),
                        org.assertj.core.groups.Tuple.tuple("times", "Integer", "1"));
        assertThat(created.tags())
                .containsExactly(Tag.builder().key("team").value("ops").build());

        DocumentDescription described =
                ssm.describeDocument(b -> b.name("hello")).document();
        assertThat(described.hash()).isEqualTo(created.hash());
        assertThat(described.tags()).hasSize(1);
        assertThat(ssm.describeDocument(b -> b.name("arn:aws:ssm:us-east-1:123456789012:document/hello"))
                        .document()
                        .name())
                .isEqualTo("hello");

        GetDocumentResponse got = ssm.getDocument(b -> b.name("hello"));
        assertThat(got.content()).isEqualTo(HELLO);
        assertThat(got.documentType()).isEqualTo(DocumentType.COMMAND);
        assertThat(got.documentVersion()).isEqualTo("1");

        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.DOCUMENT)
                .resourceId("hello")
                .tags(Tag.builder().key("tier").value("1").build()));
        assertThat(ssm.listTagsForResource(b ->
                                b.resourceType(ResourceTypeForTagging.DOCUMENT).resourceId("hello"))
                        .tagList())
                .extracting(Tag::key)
                .containsExactly("team", "tier");
        assertThatThrownBy(() -> ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.DOCUMENT)
                        .resourceId("AWS-RunShellScript")
                        .tags(Tag.builder().key("a").value("b").build())))
                .isInstanceOf(software.amazon.awssdk.services.ssm.model.InvalidResourceIdException.class);
    }

    @Test
    void yamlRoundTripAndConversion() {
        String yaml =
                """
                schemaVersion: '2.2'
                description: Lists a folder
                parameters:
                  folder:
                    type: String
                    default: /tmp
                    allowedPattern: ^/.*$
                mainSteps:
                  - action: aws:runShellScript
                    name: list
                    inputs:
                      runCommand:
                        - ls -l {{ folder }}
                      timeoutSeconds: '60'
                """;
        ssm.createDocument(b -> b.name("lister").content(yaml).documentFormat(DocumentFormat.YAML));
        GetDocumentResponse asYaml = ssm.getDocument(b -> b.name("lister"));
        assertThat(asYaml.documentFormat()).isEqualTo(DocumentFormat.YAML);
        assertThat(asYaml.content()).isEqualTo(yaml);

        GetDocumentResponse asJson = ssm.getDocument(b -> b.name("lister").documentFormat(DocumentFormat.JSON));
        assertThat(asJson.documentFormat()).isEqualTo(DocumentFormat.JSON);
        assertThat(asJson.content()).contains("\"schemaVersion\" : \"2.2\"").contains("\"timeoutSeconds\" : \"60\"");

        // The JSON form is a document of its own: created from it, shown back as YAML, it says the same.
        ssm.createDocument(b -> b.name("lister-json").content(asJson.content()));
        String yamlAgain = ssm.getDocument(b -> b.name("lister-json").documentFormat(DocumentFormat.YAML))
                .content();
        ssm.createDocument(b -> b.name("lister-yaml").content(yamlAgain).documentFormat(DocumentFormat.YAML));
        assertThat(ssm.getDocument(b -> b.name("lister-yaml").documentFormat(DocumentFormat.JSON))
                        .content())
                .isEqualTo(asJson.content());
        assertThat(yamlAgain).contains("timeoutSeconds: \"60\"");

        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("not-json").content(yaml)))
                .isInstanceOf(InvalidDocumentContentException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void versionsUpdateDefaultAndDelete() {
        ssm.createDocument(b -> b.name("hello").content(HELLO).versionName("first"));
        String second = HELLO.replace("Says hello", "Says hello again");
        DocumentDescription v2 = ssm.updateDocument(
                        b -> b.name("hello").content(second).documentVersion("$LATEST"))
                .documentDescription();
        assertThat(v2.documentVersion()).isEqualTo("2");
        assertThat(v2.latestVersion()).isEqualTo("2");
        assertThat(v2.defaultVersion()).isEqualTo("1");

        assertThatThrownBy(() -> ssm.updateDocument(b -> b.name("hello").content(second)))
                .isInstanceOf(DuplicateDocumentContentException.class);
        assertThatThrownBy(() -> ssm.updateDocument(b -> b.name("hello")
                        .content(HELLO.replace("Says hello", "third"))
                        .documentVersion("1")))
                .isInstanceOf(InvalidDocumentVersionException.class)
                .hasMessageContaining("latest version");
        assertThatThrownBy(() -> ssm.updateDocument(b -> b.name("hello")
                        .content(HELLO.replace("Says hello", "third"))
                        .versionName("first")))
                .isInstanceOf(software.amazon.awssdk.services.ssm.model.DuplicateDocumentVersionNameException.class);

        clock.advance(Duration.ofMinutes(1));
        String third = HELLO.replace("Says hello", "third");
        assertThat(ssm.updateDocument(b -> b.name("hello").content(third).documentVersion("2"))
                        .documentDescription()
                        .documentVersion())
                .isEqualTo("3");
        assertThat(ssm.getDocument(b -> b.name("hello")).content()).isEqualTo(HELLO);
        assertThat(ssm.getDocument(b -> b.name("hello").documentVersion("$LATEST"))
                        .content())
                .isEqualTo(third);
        assertThat(ssm.getDocument(b -> b.name("hello").versionName("first")).documentVersion())
                .isEqualTo("1");
        assertThatThrownBy(() -> ssm.getDocument(b -> b.name("hello").documentVersion("9")))
                .isInstanceOf(InvalidDocumentVersionException.class);

        var set = ssm.updateDocumentDefaultVersion(b -> b.name("hello").documentVersion("2"))
                .description();
        assertThat(set.defaultVersion()).isEqualTo("2");
        assertThat(ssm.describeDocument(b -> b.name("hello")).document().description())
                .isEqualTo("Says hello again");
        assertThat(ssm.listDocumentVersions(b -> b.name("hello")).documentVersions())
                .extracting(DocumentVersionInfo::documentVersion, DocumentVersionInfo::isDefaultVersion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("1", false),
                        org.assertj.core.groups.Tuple.tuple("2", true),
                        org.assertj.core.groups.Tuple.tuple("3", false));
        var firstPage = ssm.listDocumentVersions(b -> b.name("hello").maxResults(2));
        assertThat(firstPage.documentVersions()).hasSize(2);
        assertThat(ssm.listDocumentVersions(b -> b.name("hello").nextToken(firstPage.nextToken()))
                        .documentVersions())
                .extracting(DocumentVersionInfo::documentVersion)
                .containsExactly("3");

        assertThatThrownBy(() -> ssm.deleteDocument(b -> b.name("hello").documentVersion("2")))
                .isInstanceOf(InvalidDocumentOperationException.class)
                .hasMessageContaining("default version");
        ssm.deleteDocument(b -> b.name("hello").documentVersion("3"));
        assertThat(ssm.describeDocument(b -> b.name("hello")).document().latestVersion())
                .isEqualTo("2");
        // Numbers are not reused: the next version after deleting 3 is 4.
        assertThat(ssm.updateDocument(b -> b.name("hello").content(HELLO.replace("Says hello", "fourth")))
                        .documentDescription()
                        .documentVersion())
                .isEqualTo("4");

        ssm.deleteDocument(b -> b.name("hello").versionName("first"));
        assertThat(ssm.listDocumentVersions(b -> b.name("hello")).documentVersions())
                .extracting(DocumentVersionInfo::documentVersion)
                .containsExactly("2", "4");

        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.DOCUMENT)
                .resourceId("hello")
                .tags(Tag.builder().key("gone").value("soon").build()));
        ssm.deleteDocument(b -> b.name("hello"));
        assertThatThrownBy(() -> ssm.describeDocument(b -> b.name("hello")))
                .isInstanceOf(InvalidDocumentException.class);
        // A document created again under the name starts afresh: no versions, no tags of the old one.
        DocumentDescription again =
                ssm.createDocument(b -> b.name("hello").content(HELLO)).documentDescription();
        assertThat(again.documentVersion()).isEqualTo("1");
        assertThat(again.tags()).isEmpty();
        ssm.deleteDocument(b -> b.name("hello"));
        assertThatThrownBy(() -> ssm.deleteDocument(b -> b.name("hello"))).isInstanceOf(InvalidDocumentException.class);
    }

    @Test
    void badContentIsRefusedNamingEachPlace() {
        String bad =
                """
                {
                  "schemaVersion": "2.2",
                  "parameters": {
                    "level": {"type": "Number"},
                    "mode": {"type": "String", "default": "fast", "allowedValues": ["slow", "safe"]},
                    "items": {"type": "StringList", "minItems": 1, "maxItems": "two"}
                  },
                  "mainSteps": [
                    {"action": "aws:runShellScript", "name": "one", "inputs": {"runCommand": ["echo {{ missing }}"]}},
                    {"action": "aws:runPowerShellScript", "name": "one", "inputs": {}},
                    {"action": "aws:runShellScript", "name": "three", "inputs": {"timeoutSeconds": 999999}}
                  ]
                }
                """;
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("bad").content(bad)))
                .isInstanceOf(InvalidDocumentContentException.class)
                .hasMessageContaining("parameters.level.type: 'Number' is not a type")
                .hasMessageContaining("parameters.mode.default: Parameter mode (String) value 'fast' is not one of")
                .hasMessageContaining("parameters.items.maxItems")
                .hasMessageContaining("mainSteps[0].inputs.runCommand[0]: {{ missing }} is not a declared parameter")
                .hasMessageContaining("mainSteps[1].name: 'one' names an earlier step too")
                .hasMessageContaining("mainSteps[1].action: 'aws:runPowerShellScript' is not supported")
                .hasMessageContaining("mainSteps[2].inputs.runCommand: is required")
                .hasMessageContaining("mainSteps[2].inputs.timeoutSeconds: must be a whole number");

        assertThatThrownBy(() -> ssm.createDocument(
                        b -> b.name("empty").content("{\"schemaVersion\": \"2.2\", \"mainSteps\": []}")))
                .isInstanceOf(InvalidDocumentContentException.class)
                .hasMessageContaining("mainSteps: must be a non-empty list");
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("old").content(HELLO.replace("\"2.2\"", "\"1.2\""))))
                .isInstanceOf(InvalidDocumentSchemaVersionException.class)
                .hasMessageContaining("schemaVersion");
        assertThatThrownBy(() -> ssm.createDocument(
                        b -> b.name("dup-keys").content("{\"schemaVersion\": \"2.2\", \"schemaVersion\": \"2.2\"}")))
                .isInstanceOf(InvalidDocumentContentException.class)
                .hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("trailing").content(HELLO + " {}")))
                .isInstanceOf(InvalidDocumentContentException.class);
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("two-yaml")
                        .content("schemaVersion: '2.2'\n---\nschemaVersion: '2.2'\n")
                        .documentFormat(DocumentFormat.YAML)))
                .isInstanceOf(InvalidDocumentContentException.class);
        String huge = HELLO.replace("Says hello", "x".repeat(70_000));
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("huge").content(huge)))
                .isInstanceOf(MaxDocumentSizeExceededException.class);
    }

    @Test
    void namesTypesAndOwnershipAreChecked() {
        assertThatThrownBy(() ->
                        ssm.createDocument(b -> b.name("auto").content(HELLO).documentType(DocumentType.AUTOMATION)))
                .isInstanceOf(InvalidDocumentTypeException.class)
                .hasMessageContaining("DocumentType Automation");
        for (String reserved : List.of("AWS-Mine", "aws-mine", "amazon-mine", "AmznThing")) {
            assertThatThrownBy(() -> ssm.createDocument(b -> b.name(reserved).content(HELLO)))
                    .isInstanceOf(software.amazon.awssdk.services.ssm.model.ValidationException.class)
                    .hasMessageContaining("'name'")
                    .hasMessageContaining("reserved");
        }
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("a b").content(HELLO)))
                .hasMessageContaining("'name' failed to satisfy constraint");
        ssm.createDocument(b -> b.name("hello").content(HELLO));
        assertThatThrownBy(() -> ssm.createDocument(b -> b.name("hello").content(HELLO)))
                .isInstanceOf(DocumentAlreadyExistsException.class);
        assertThatThrownBy(() -> ssm.deleteDocument(b -> b.name("AWS-RunShellScript")))
                .isInstanceOf(InvalidDocumentOperationException.class);
        assertThatThrownBy(() ->
                        ssm.updateDocument(b -> b.name("AWS-RunPatchBaseline").content(HELLO)))
                .isInstanceOf(InvalidDocumentOperationException.class);
        assertThatThrownBy(() -> ssm.getDocument(b -> b.name("nothing-here")))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("nothing-here");
    }

    @Test
    void listDocumentsFiltersAndPages() {
        for (String name : List.of("team-a-one", "team-a-two", "team-b-one")) {
            ssm.createDocument(b -> b.name(name)
                    .content(HELLO)
                    .tags(Tag.builder().key("team").value(name.substring(5, 6)).build()));
        }
        assertThat(names(ssm.listDocuments(b -> b.filters(f -> f.key("Owner").values("Self")))))
                .containsExactly("team-a-one", "team-a-two", "team-b-one");
        assertThat(names(ssm.listDocuments(b -> b.filters(f -> f.key("Owner").values("Amazon")))))
                .containsExactly(
                        "AWS-Noop",
                        "AWS-RunPatchBaseline",
                        "AWS-RunPatchBaselineWithHooks",
                        "AWS-RunShellScript",
                        "Patchtide-UpdateAgent");
        assertThat(names(ssm.listDocuments(b -> b.filters(f -> f.key("Name").values("team-a")))))
                .containsExactly("team-a-one", "team-a-two");
        assertThat(names(ssm.listDocuments(b -> b.filters(f -> f.key("tag:team").values("b")))))
                .containsExactly("team-b-one");
        assertThat(names(ssm.listDocuments(
                        b -> b.documentFilterList(f -> f.key("Owner").value("Self"))
                                .filters(f -> f.key("DocumentType").values("Command")))))
                .hasSize(3);
        assertThat(names(ssm.listDocuments(
                        b -> b.filters(f -> f.key("PlatformTypes").values("Windows")))))
                .isEmpty();
        assertThat(ssm.listDocuments(b -> b.filters(f -> f.key("tag:team").values("a")))
                        .documentIdentifiers()
                        .getFirst()
                        .tags())
                .containsExactly(Tag.builder().key("team").value("a").build());

        // five built-ins (four AWS-*, Patchtide-UpdateAgent) and three of the test's, in name order
        ListDocumentsResponse first = ssm.listDocuments(b -> b.maxResults(7));
        assertThat(first.documentIdentifiers()).hasSize(7);
        ListDocumentsResponse rest = ssm.listDocuments(b -> b.maxResults(7).nextToken(first.nextToken()));
        assertThat(names(rest)).containsExactly("team-b-one");
        assertThat(rest.nextToken()).isNull();
        DocumentIdentifier builtIn = first.documentIdentifiers().getFirst();
        assertThat(builtIn.owner()).isEqualTo("Amazon");
        assertThat(builtIn.documentVersion()).isEqualTo("1");

        assertThatThrownBy(() ->
                        ssm.listDocuments(b -> b.filters(f -> f.key("Colour").values("red"))))
                .isInstanceOf(InvalidFilterKeyException.class);
        assertThatThrownBy(() -> ssm.listDocuments(b -> b.nextToken("bogus")))
                .isInstanceOf(InvalidNextTokenException.class);
    }

    @Test
    void builtInsHaveAwsNamesParametersAndDefaults() {
        DocumentDescription shell =
                ssm.describeDocument(b -> b.name("AWS-RunShellScript")).document();
        assertThat(shell.owner()).isEqualTo("Amazon");
        assertThat(shell.parameters())
                .extracting(DocumentParameter::name, DocumentParameter::typeAsString, DocumentParameter::defaultValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("commands", "StringList", null),
                        org.assertj.core.groups.Tuple.tuple("workingDirectory", "String", ""),
                        org.assertj.core.groups.Tuple.tuple("executionTimeout", "String", "3600"));

        DocumentDescription patch =
                ssm.describeDocument(b -> b.name("AWS-RunPatchBaseline")).document();
        assertThat(patch.parameters())
                .extracting(DocumentParameter::name, DocumentParameter::typeAsString, DocumentParameter::defaultValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Operation", "String", "Scan"),
                        org.assertj.core.groups.Tuple.tuple("SnapshotId", "String", ""),
                        org.assertj.core.groups.Tuple.tuple("InstallOverrideList", "String", ""),
                        org.assertj.core.groups.Tuple.tuple("BaselineOverride", "String", ""),
                        org.assertj.core.groups.Tuple.tuple("RebootOption", "String", "RebootIfNeeded"),
                        org.assertj.core.groups.Tuple.tuple("ExcludePatches", "StringList", "[]"));
        assertThat(ssm.getDocument(b -> b.name("AWS-RunPatchBaseline")).content())
                .contains("\"allowedValues\": [\"Scan\", \"Install\"]")
                .contains("\"allowedValues\": [\"RebootIfNeeded\", \"NoReboot\"]")
                .contains("patchtide:runPatchBaseline");

        DocumentDescription hooks = ssm.describeDocument(b -> b.name("AWS-RunPatchBaselineWithHooks"))
                .document();
        assertThat(hooks.parameters())
                .extracting(DocumentParameter::name, DocumentParameter::defaultValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Operation", "Scan"),
                        org.assertj.core.groups.Tuple.tuple("SnapshotId", ""),
                        org.assertj.core.groups.Tuple.tuple("RebootOption", "RebootIfNeeded"),
                        org.assertj.core.groups.Tuple.tuple("PreInstallHookDocName", "AWS-Noop"),
                        org.assertj.core.groups.Tuple.tuple("PostInstallHookDocName", "AWS-Noop"),
                        org.assertj.core.groups.Tuple.tuple("OnExitHookDocName", "AWS-Noop"));
        assertThat(ssm.describeDocument(b -> b.name("AWS-Noop")).document().parameters())
                .isEmpty();
        assertThat(ssm.getDocument(b -> b.name("AWS-Noop").documentFormat(DocumentFormat.YAML))
                        .content())
                .startsWith("schemaVersion: \"2.2\"");
    }

    private static List<String> names(ListDocumentsResponse response) {
        return response.documentIdentifiers().stream()
                .map(DocumentIdentifier::name)
                .toList();
    }
}

package dev.patchtide.server.documents;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** Request and response shapes of the document actions, as in SSM's service model. */
final class DocumentMessages {
    private DocumentMessages() {}

    static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_\\-.]{3,128}$");
    static final Pattern NAME_OR_ARN = Pattern.compile("^[a-zA-Z0-9_\\-.:/]{3,128}$");
    static final Pattern VERSION = Pattern.compile("([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)");
    static final Pattern VERSION_NUMBER = Pattern.compile("(^[1-9][0-9]*$)");
    static final Pattern VERSION_NAME = Pattern.compile("^[a-zA-Z0-9_\\-.]{1,128}$");
    static final Pattern DISPLAY_NAME = Pattern.compile("^[\\w\\.\\-\\:\\/ ]*$");
    static final Pattern TARGET_TYPE = Pattern.compile("^\\/[\\w\\.\\-\\:\\/]*$");
    static final List<String> TYPES = List.of(
            "Command",
            "Policy",
            "Automation",
            "Session",
            "Package",
            "ApplicationConfiguration",
            "ApplicationConfigurationSchema",
            "DeploymentStrategy",
            "ChangeCalendar",
            "Automation.ChangeTemplate",
            "ProblemAnalysis",
            "ProblemAnalysisTemplate",
            "CloudFormation",
            "ConformancePackTemplate",
            "QuickSetup",
            "ManualApprovalPolicy",
            "AutoApprovalPolicy");
    static final List<String> FORMATS = List.of("YAML", "JSON", "TEXT");

    record CreateDocumentRequest(
            String content,
            List<JsonNode> requires,
            List<JsonNode> attachments,
            String name,
            String displayName,
            String versionName,
            String documentType,
            String documentFormat,
            String targetType,
            List<Tag> tags)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("content", content)
                    .length("content", content, 1, Integer.MAX_VALUE)
                    .required("name", name)
                    .pattern("name", name, NAME)
                    .length("displayName", displayName, 0, 1024)
                    .pattern("displayName", displayName, DISPLAY_NAME)
                    .pattern("versionName", versionName, VERSION_NAME)
                    .oneOf("documentType", documentType, TYPES)
                    .oneOf("documentFormat", documentFormat, FORMATS)
                    .length("targetType", targetType, 0, 200)
                    .pattern("targetType", targetType, TARGET_TYPE)
                    .size("requires", requires, 1, Integer.MAX_VALUE)
                    .size("attachments", attachments, 0, 20)
                    .size("tags", tags, 0, 1000);
            Tag.validate(tags, "tags", v);
        }
    }

    record UpdateDocumentRequest(
            String content,
            List<JsonNode> attachments,
            String name,
            String displayName,
            String versionName,
            String documentVersion,
            String documentFormat,
            String targetType)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("content", content)
                    .length("content", content, 1, Integer.MAX_VALUE)
                    .required("name", name)
                    .pattern("name", name, NAME)
                    .length("displayName", displayName, 0, 1024)
                    .pattern("displayName", displayName, DISPLAY_NAME)
                    .pattern("versionName", versionName, VERSION_NAME)
                    .pattern("documentVersion", documentVersion, VERSION)
                    .oneOf("documentFormat", documentFormat, FORMATS)
                    .length("targetType", targetType, 0, 200)
                    .pattern("targetType", targetType, TARGET_TYPE)
                    .size("attachments", attachments, 0, 20);
        }
    }

    record GetDocumentRequest(String name, String versionName, String documentVersion, String documentFormat)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .pattern("name", name, NAME_OR_ARN)
                    .pattern("versionName", versionName, VERSION_NAME)
                    .pattern("documentVersion", documentVersion, VERSION)
                    .oneOf("documentFormat", documentFormat, FORMATS);
        }
    }

    record DescribeDocumentRequest(String name, String documentVersion, String versionName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .pattern("name", name, NAME_OR_ARN)
                    .pattern("versionName", versionName, VERSION_NAME)
                    .pattern("documentVersion", documentVersion, VERSION);
        }
    }

    record DocumentFilter(@JsonProperty("key") String key, @JsonProperty("value") String value) {}

    record DocumentKeyValuesFilter(String key, List<String> values) {}

    record ListDocumentsRequest(
            List<DocumentFilter> documentFilterList,
            List<DocumentKeyValuesFilter> filters,
            Integer maxResults,
            String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.size("documentFilterList", documentFilterList, 1, Integer.MAX_VALUE)
                    .size("filters", filters, 0, 6)
                    .range("maxResults", maxResults, 1, 50);
            if (documentFilterList != null) {
                for (int i = 0; i < documentFilterList.size(); i++) {
                    DocumentFilter f = documentFilterList.get(i);
                    String at = "documentFilterList." + (i + 1) + ".member";
                    v.required(at, f);
                    if (f != null) {
                        v.required(at + ".key", f.key())
                                .oneOf(at + ".key", f.key(), List.of("Name", "Owner", "PlatformTypes", "DocumentType"))
                                .required(at + ".value", f.value())
                                .length(at + ".value", f.value(), 1, Integer.MAX_VALUE);
                    }
                }
            }
            if (filters != null) {
                for (int i = 0; i < filters.size(); i++) {
                    DocumentKeyValuesFilter f = filters.get(i);
                    String at = "filters." + (i + 1) + ".member";
                    v.required(at, f);
                    if (f != null) {
                        v.length(at + ".key", f.key(), 1, 128);
                        if (f.values() != null) {
                            for (int j = 0; j < f.values().size(); j++) {
                                v.length(
                                        at + ".values." + (j + 1) + ".member",
                                        f.values().get(j),
                                        1,
                                        256);
                            }
                        }
                    }
                }
            }
        }
    }

    record ListDocumentVersionsRequest(String name, Integer maxResults, String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name).pattern("name", name, NAME_OR_ARN).range("maxResults", maxResults, 1, 50);
        }
    }

    record UpdateDocumentDefaultVersionRequest(String name, String documentVersion) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .pattern("name", name, NAME)
                    .required("documentVersion", documentVersion)
                    .pattern("documentVersion", documentVersion, VERSION_NUMBER);
        }
    }

    record DeleteDocumentRequest(String name, String documentVersion, String versionName, Boolean force)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .pattern("name", name, NAME)
                    .pattern("documentVersion", documentVersion, VERSION)
                    .pattern("versionName", versionName, VERSION_NAME);
        }
    }

    record DocumentParameter(String name, String type, String description, String defaultValue) {}

    record DocumentDescription(
            String hash,
            String hashType,
            String name,
            String displayName,
            String versionName,
            String owner,
            Instant createdDate,
            String status,
            String documentVersion,
            String description,
            List<DocumentParameter> parameters,
            List<String> platformTypes,
            String documentType,
            String schemaVersion,
            String latestVersion,
            String defaultVersion,
            String documentFormat,
            String targetType,
            List<Tag> tags) {}

    record DocumentDescriptionResult(DocumentDescription documentDescription) {}

    record DescribeDocumentResult(DocumentDescription document) {}

    record GetDocumentResult(
            String name,
            Instant createdDate,
            String displayName,
            String versionName,
            String documentVersion,
            String status,
            String content,
            String documentType,
            String documentFormat) {}

    record DocumentIdentifier(
            String name,
            Instant createdDate,
            String displayName,
            String owner,
            String versionName,
            List<String> platformTypes,
            String documentVersion,
            String documentType,
            String schemaVersion,
            String documentFormat,
            String targetType,
            List<Tag> tags) {}

    record ListDocumentsResult(List<DocumentIdentifier> documentIdentifiers, String nextToken) {}

    record DocumentVersionInfo(
            String name,
            String displayName,
            String documentVersion,
            String versionName,
            Instant createdDate,
            Boolean isDefaultVersion,
            String documentFormat,
            String status) {}

    record ListDocumentVersionsResult(List<DocumentVersionInfo> documentVersions, String nextToken) {}

    record DocumentDefaultVersionDescription(String name, String defaultVersion, String defaultVersionName) {}

    record UpdateDocumentDefaultVersionResult(DocumentDefaultVersionDescription description) {}

    record Empty() {}
}

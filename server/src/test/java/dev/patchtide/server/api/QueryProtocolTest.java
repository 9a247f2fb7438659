package dev.patchtide.server.api;

import static dev.patchtide.server.api.QueryShape.Scalar.BOOLEAN;
import static dev.patchtide.server.api.QueryShape.Scalar.STRING;
import static dev.patchtide.server.api.QueryShape.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The query protocol's form decoding and XML writing, on a made-up operation, without a server. */
class QueryProtocolTest {
    private static final QueryShape.Structure ITEM =
            QueryShape.Structure.of(member("Key", STRING), member("Values", new QueryShape.ListOf(STRING)));
    private static final QueryService.Operation PUT = new QueryService.Operation(
            "PutThings",
            "Test.PutThings",
            QueryShape.Structure.of(
                    member("Name", STRING),
                    member("Force", BOOLEAN),
                    member("Items", new QueryShape.ListOf(ITEM)),
                    member("Labels", QueryShape.MapOf.ofStrings()),
                    member("Nested", new QueryShape.MapOf("Name", "Value", ITEM))),
            Optional.of(QueryShape.Structure.of(
                    member("Items", new QueryShape.ListOf(ITEM)), member("Labels", QueryShape.MapOf.ofStrings()))));
    private static final QueryService SERVICE =
            QueryService.of("urn:test", "2020-01-01", "test", List.of(PUT), Map.of());

    @Test
    void formBecomesTheJsonWiresTree() {
        JsonNode tree = QueryDecoder.decode(
                PUT,
                QueryDecoder.parseForm(("Action=PutThings&Version=2020-01-01&Name=a+b%26c&Force=true"
                                + "&Items.member.2.Key=second&Items.member.1.Key=first&Items.member.1.Values.member.1=x"
                                + "&Labels.entry.1.key=k&Labels.entry.1.value=v"
                                + "&Nested.entry.1.Name=n&Nested.entry.1.Value.Key=nk&Nested.entry.1.Value.Values=")
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(tree.toString())
                .isEqualTo("{\"Name\":\"a b&c\",\"Force\":true,"
                        + "\"Items\":[{\"Key\":\"first\",\"Values\":[\"x\"]},{\"Key\":\"second\"}],"
                        + "\"Labels\":{\"k\":\"v\"},\"Nested\":{\"n\":{\"Key\":\"nk\",\"Values\":[]}}}");
    }

    @Test
    void strayOrRepeatedParametersAreRefused() {
        assertThatThrownBy(() -> QueryDecoder.decode(PUT, form("Name=a&Items.member.x.Key=b")))
                .hasMessage("Unknown parameter 'Items.member.x.Key' in PutThings request");
        assertThatThrownBy(() -> QueryDecoder.decode(
                        PUT,
                        form("Labels.entry.1.key=k&Labels.entry.2.key=k"
                                + "&Labels.entry.1.value=1&Labels.entry.2.value=2")))
                .hasMessage("Key 'k' given twice in Labels");
        assertThatThrownBy(() -> QueryDecoder.parseForm("Name=a&Name=b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("MalformedQueryString"));
        assertThatThrownBy(() -> QueryDecoder.parseForm("Name=%zz".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("MalformedQueryString"));
    }

    @Test
    void responseTreeIsWrittenByTheOutputShape() throws Exception {
        JsonNode result = ApiJson.documents()
                .readTree(
                        "{\"Items\":[{\"Key\":\"a<b\",\"Values\":[\"x\"]}],\"Labels\":{\"k\":\"line\\r\\nnext\\u0001\"}}");
        assertThat(QueryXml.response(SERVICE, PUT, result, "rid"))
                .isEqualTo("<PutThingsResponse xmlns=\"urn:test\"><PutThingsResult>"
                        + "<Items><member><Key>a&lt;b</Key><Values><member>x</member></Values></member></Items>"
                        + "<Labels><entry><key>k</key><value>line&#xD;\nnext\uFFFD</value></entry></Labels>"
                        + "</PutThingsResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
                        + "</PutThingsResponse>");
        assertThatThrownBy(() ->
                        QueryXml.response(SERVICE, PUT, ApiJson.documents().readTree("{\"Surprise\":1}"), "rid"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Surprise");
    }

    private static Map<String, String> form(String text) {
        return QueryDecoder.parseForm(text.getBytes(StandardCharsets.UTF_8));
    }
}

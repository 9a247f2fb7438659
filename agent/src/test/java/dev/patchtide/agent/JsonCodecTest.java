package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The daemon's streaming JSON writes and reads exactly what the agent's Jackson mapper did, so the wire is unchanged. */
class JsonCodecTest {
    private static final ObjectMapper MAPPER = AgentJson.mapper();

    /** A scan report as PatchReport builds it, with an operation's members and every kind of value in it. */
    private static Map<String, Object> report() {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("Name", "openssl");
        patch.put("InstalledVersion", "3.0.11-1~deb12u2");
        patch.put("Severity", null);
        patch.put("Security", true);
        patch.put("ReleaseDate", 1_733_000_000L);
        patch.put("CVEIds", List.of("CVE-2024-0001", "CVE-2024-0002"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", "mi-0123456789abcdef0");
        report.put("OperationStartTime", 1_764_733_000_123L / 1000.0);
        report.put("OperationEndTime", 1.0e10);
        report.put("Small", 0.1);
        report.put("InstalledCount", 710);
        report.put("Negative", -3);
        report.put("Big", new BigInteger("123456789012345678901234567890"));
        report.put("Decimal", new BigDecimal("12.50"));
        report.put("Float", 1.5f);
        report.put("RebootRequired", false);
        report.put("Nothing", null);
        report.put("Text", "quote \" backslash \\ tab \t newline \n control \u0001 é ☃ 😀 </script>");
        report.put("Empty", List.of());
        report.put("EmptyObject", Map.of());
        report.put("Set", Set.of("only"));
        report.put("OperationStart", Instant.parse("2026-12-03T04:05:06.123456789Z"));
        report.put("OperationEnd", Instant.parse("2026-12-03T04:05:06Z"));
        report.put("Epoch", Instant.EPOCH);
        report.put("BeforeEpoch", Instant.parse("1969-12-31T23:59:59.5Z"));
        report.put("Patches", List.of(patch, patch));
        return report;
    }

    @Test
    void writesTheMappersBytes() throws Exception {
        Map<String, Object> report = report();
        assertThat(new String(JsonCodec.write(report), StandardCharsets.UTF_8))
                .isEqualTo(new String(MAPPER.writeValueAsBytes(report), StandardCharsets.UTF_8));
    }

    @Test
    void writesTreesAsTheMapperDoes() throws Exception {
        JsonNode tree = MAPPER.readTree(
                "{\"a\":null,\"b\":[1,2.5,-7,12345678901,123456789012345678901234567890,true,\"x\"],\"c\":{}}");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Tree", tree);
        request.put("Id", "i");
        assertThat(JsonCodec.write(request)).isEqualTo(MAPPER.writeValueAsBytes(request));
        assertThat(JsonCodec.write(tree)).isEqualTo(MAPPER.writeValueAsBytes(tree));
    }

    @Test
    void aValueItDoesNotKnowGoesToTheMapper() throws Exception {
        record Step(String name, Instant start) {}
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Steps", new ArrayList<>(List.of(new Step("a", Instant.EPOCH))));
        assertThat(JsonCodec.write(request)).isEqualTo(MAPPER.writeValueAsBytes(request));
    }

    @Test
    void readsTreesAsTheMapperDoes() throws Exception {
        byte[] json = MAPPER.writeValueAsBytes(report());
        assertThat(JsonCodec.readTree(json)).isEqualTo(MAPPER.readTree(json));
        byte[] odd = "[1, 2147483648, 9223372036854775808, 1e3, -0.0, null, {\"k\":{\"k\":[]}}]"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(JsonCodec.readTree(odd)).isEqualTo(MAPPER.readTree(odd));
    }

    @Test
    void readsMapsAsTheMapperDoes() throws Exception {
        byte[] json = MAPPER.writeValueAsBytes(report());
        LinkedHashMap<String, Object> read = JsonCodec.readMap(json);
        LinkedHashMap<String, Object> mappers =
                MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        assertThat(read).isEqualTo(mappers);
        // and a spooled report read back is sent as the mapper sent it (decimals come back as doubles in both)
        assertThat(JsonCodec.write(read)).isEqualTo(MAPPER.writeValueAsBytes(mappers));
    }

    @Test
    void brokenJsonIsAnError() {
        assertThatThrownBy(() -> JsonCodec.readTree("{\"a\":[1,".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JsonCodec.readMap("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a JSON object");
    }
}

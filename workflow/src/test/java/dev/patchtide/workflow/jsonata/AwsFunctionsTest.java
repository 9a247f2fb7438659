package dev.patchtide.workflow.jsonata;

import static dev.patchtide.workflow.jsonata.JsonataTest.failure;
import static dev.patchtide.workflow.jsonata.JsonataTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The functions Step Functions adds to JSONata, and the clock and random sources behind $now, $uuid, $random. */
class AwsFunctionsTest {
    private static final Sources FIXED = new Sources() {
        @Override
        public Instant now() {
            return Instant.parse("2026-01-02T03:04:05.678Z");
        }

        @Override
        public String newUuid() {
            return "11111111-2222-4333-8444-555555555555";
        }

        @Override
        public double random() {
            return 0.25;
        }
    };

    private static JsonNode eval(String expression) {
        return Jsonata.evaluate(
                expression, "Output/r", JsonataTest.states("{\"content\":\"input data\"}"), Scope.EMPTY, FIXED);
    }

    private static String cause(String expression) {
        return failure(() -> eval(expression)).cause();
    }

    @Test
    void partitionSplitsAnArrayIntoChunks() {
        assertThat(eval("$partition([1,2,3,4,5,6,7,8,9], 3)")).isEqualTo(json("[[1,2,3],[4,5,6],[7,8,9]]"));
        assertThat(eval("$partition([1,2,3,4,5], 2)")).isEqualTo(json("[[1,2],[3,4],[5]]"));
        assertThat(eval("$partition([0], 4)")).isEqualTo(json("[[0]]"));
        assertThat(eval("$partition([1,2], 2.9)")).isEqualTo(json("[[1,2]]"));
        assertThat(cause("$partition('a', 2)")).contains("T0412");
        assertThat(cause("$partition([1], -2)")).endsWith("D3137: Second argument must be zero or greater");
    }

    @Test
    void rangeCountsFromStartToEndByStep() {
        assertThat(eval("$range(0, 10, 2)")).isEqualTo(json("[0,2,4,6,8,10]"));
        assertThat(eval("$range(10, 0, -5)")).isEqualTo(json("[10,5,0]"));
        assertThat(eval("$range(1, 4, 2)")).isEqualTo(json("[1,3]"));
        assertThat(eval("$range(3, 3, 1)")).isEqualTo(json("3"));
        assertThat(cause("$range(0, 10, -1)")).endsWith("returned nothing (undefined).");
        assertThat(cause("$range('a', 10, 1)"))
                .endsWith("T0410: Argument 1 of function \"range\" does not match function signature");
    }

    @Test
    void hashWritesTheHexDigest() {
        assertThat(eval("$hash($states.input.content, 'SHA-256')").textValue()).isEqualTo(sha256("input data"));
        assertThat(eval("$hash('abc', 'MD5')").textValue()).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
        assertThat(eval("$hash('abc', 'SHA-1')").textValue()).isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
        assertThat(cause("$hash('abc', 'SHA-999')"))
                .endsWith("D3137: Hash algorithm 'SHA-999' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5");
        assertThat(cause("$hash(1, 'MD5')"))
                .endsWith("T0410: Argument 1 of function \"hash\" does not match function signature");
    }

    private static String sha256(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void randomIsReproducibleUnderASeedAndReadsTheSourceWithout() {
        assertThat(eval("$random(42)").doubleValue()).isEqualTo(0.7275636800328681);
        assertThat(eval("$random(42)")).isEqualTo(eval("$random(42)"));
        assertThat(eval("$random()").doubleValue()).isEqualTo(0.25);
    }

    @Test
    void uuidNowAndMillisComeFromTheSources() {
        assertThat(eval("$uuid()").textValue()).isEqualTo("11111111-2222-4333-8444-555555555555");
        assertThat(eval("$now()").textValue()).isEqualTo("2026-01-02T03:04:05.678Z");
        assertThat(eval("$millis()").longValue())
                .isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
        assertThat(cause("$uuid(1)"))
                .endsWith("T0410: Argument 1 of function \"uuid\" does not match function signature");
    }

    @Test
    void parseReadsAJsonString() {
        assertThat(eval("$parse('{\"a\":[1,2.5,null,true]}')")).isEqualTo(json("{\"a\":[1,2.5,null,true]}"));
        assertThat(eval("$parse('\"text\"')")).isEqualTo(json("\"text\""));
        assertThat(cause("$parse('{\"a\":')")).endsWith("D3137: Invalid JSON");
        assertThat(cause("$parse('{} {}')")).endsWith("D3137: Invalid JSON");
    }

    @Test
    void stringWritesWholeNumbersInFullBelow1e21AsJavaScriptDoes() {
        assertThat(eval("$string(1e20)")).isEqualTo(json("\"100000000000000000000\""));
        assertThat(eval("$string(1e21)")).isEqualTo(json("\"1e+21\""));
        assertThat(eval("$string({'a': 1e19, 'b': [2.5]})"))
                .isEqualTo(json("\"{\\\"a\\\":10000000000000000000,\\\"b\\\":[2.5]}\""));
        assertThat(eval("$string(5)")).isEqualTo(json("\"5\""));
        assertThat(eval("[1, 2].$string()")).isEqualTo(json("[\"1\",\"2\"]"));
    }
}

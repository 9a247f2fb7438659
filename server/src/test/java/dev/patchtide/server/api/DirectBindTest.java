package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The direct bind takes only bodies the tree path binds without complaint, and binds them to the same value; every
 * other body is left to the tree path, so errors keep their wording and order.
 */
class DirectBindTest {
    record Item(String key, String value) {}

    record Sample(String name, Map<String, String> tags, List<Item> items, Integer count, Instant at, JsonNode doc)
            implements ApiRequest {
        @Override
        public void validate(Validation validation) {}
    }

    private final ApiRouter router = new ApiRouter(null, ApiJson.mapper(), new SimpleMeterRegistry(), null);
    private final DirectBind direct = new DirectBind(ApiJson.mapper());

    @Test
    void aCleanBodyIsBoundDirectlyToWhatTheTreePathBinds() {
        String body = "{\"Name\": \"n \\u00e9 \\ud83d\\ude00\", \"Tags\": {\"a\": \"b\"},"
                + " \"Items\": [{\"Key\": \"k\", \"Value\": \"v\"}], \"Count\": 3, \"At\": 1733251234.567,"
                + " \"Doc\": {\"x\": [1, 2.5, null, true, {\"y\": \"z\"}]}}";
        Optional<Sample> bound = direct.bind(bytes(body), Sample.class);
        assertThat(bound).contains(treeBind(body));
        assertThat(bound.get().at()).isEqualTo(Instant.ofEpochMilli(1733251234567L));
    }

    @Test
    void duplicateMembersBindAsTheTreePathBindsThem() {
        String body = "{\"Name\": \"first\", \"Name\": \"second\", \"Tags\": {\"a\": \"1\", \"a\": \"2\"}}";
        Optional<Sample> bound = direct.bind(bytes(body), Sample.class);
        if (bound.isPresent()) {
            assertThat(bound.get()).isEqualTo(treeBind(body));
        }
    }

    @Test
    void everyBodyTheTreePathRefusesIsLeftToIt() {
        List<String> refused = List.of(
                "{\"Name\": ",
                "{\"Name\": \"a\"} {}",
                "{\"Name\": \"a\"} x",
                "[{\"Name\": \"a\"}]",
                "null",
                "\"text\"",
                "{\"Name\": \"a\\u0000b\"}",
                "{\"Tags\": {\"k\\u0000\": \"v\"}}",
                "{\"Items\": [{\"Key\": \"k\", \"Value\": \"\\ud800\"}]}",
                "{\"Doc\": {\"deep\": [\"\\udc00x\"]}}",
                "{\"Unknown\": 1}",
                "{\"Count\": \"3\"}",
                "{\"Count\": 3.5}",
                "{\"Doc\": " + "[".repeat(70) + "]".repeat(70) + "}");
        for (String body : refused) {
            assertThat(direct.bind(bytes(body), Sample.class)).as(body).isEmpty();
            assertThatThrownBy(() -> treeBind(body)).as(body).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void theByteCheckPassesNoBodyWhoseTextCouldBeUnstorable() {
        // Pieces of a string member: text that cannot be stored, as escapes and as raw (overlong or surrogate) UTF-8.
        List<byte[]> unstorable = List.of(
                bytes("\\u0000"),
                bytes("\\ud800"),
                bytes("\\udc00"),
                new byte[] {(byte) 0xC0, (byte) 0x80},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF0, (byte) 0x8D, (byte) 0xA0, (byte) 0x80},
                new byte[] {0});
        List<byte[]> plain = List.of(
                bytes("a"),
                bytes("\u00e9"),
                bytes("\u4e2d"),
                bytes("\\n"),
                bytes("\\\\"),
                bytes("\\\\u"),
                bytes("\\\""),
                bytes("\ud83d\ude00"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        for (int n = 0; n < 5_000; n++) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.writeBytes(bytes("{\"Name\": \""));
            boolean bad = false;
            for (int k = random.nextInt(1, 6); k > 0; k--) {
                if (random.nextInt(4) == 0) {
                    body.writeBytes(unstorable.get(random.nextInt(unstorable.size())));
                    bad = true;
                } else {
                    body.writeBytes(plain.get(random.nextInt(plain.size())));
                }
            }
            body.writeBytes(bytes("\"}"));
            byte[] b = body.toByteArray();
            if (bad) {
                assertThat(DirectBind.plainText(b))
                        .as(new String(b, StandardCharsets.UTF_8))
                        .isFalse();
            } else if (DirectBind.plainText(b)) {
                assertThat(DirectBind.storableAndWellFormed(b)).isTrue();
                assertThat(direct.bind(b, Sample.class)).contains(treeBind(new String(b, StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void anEmptyBodyIsLeftToTheTreePath() {
        assertThat(direct.bind(new byte[0], Sample.class)).isEmpty();
    }

    private Sample treeBind(String body) {
        return router.bind(Sample.class, RequestJson.parse(bytes(body), ApiJson.mapper()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

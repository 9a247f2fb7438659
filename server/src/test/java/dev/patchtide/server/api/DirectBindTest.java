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

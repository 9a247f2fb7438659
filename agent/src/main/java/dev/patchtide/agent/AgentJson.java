package dev.patchtide.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The agent's one Jackson configuration, built once on first use (it is thread-safe and costly to build). It
 * speaks the AWS JSON dialect: UpperCamelCase members, timestamps as epoch seconds, null members left out,
 * unknown members ignored (a newer server may send more). The agent's state files name their members
 * explicitly ({@code @JsonProperty}), so the naming strategy never renames what is already on disk.
 *
 * <p>The running daemon's own messages (heartbeats, scan reports, the command poll, its state files) do not
 * come here: {@link JsonCodec} writes and reads them with jackson-core alone, the same bytes without databind's
 * ≈ 700 classes; its commands (invocations, journal, results, document inputs) likewise. The mapper is built
 * only when the one-shot CLI needs it.
 */
public final class AgentJson {
    private AgentJson() {}

    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** Built on the first {@link #mapper()} call, not when the agent's classes load. */
    private static final class Holder {
        private static final ObjectMapper MAPPER = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }
}

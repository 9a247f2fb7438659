package dev.patchtide.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The JSON dialect of the AWS JSON 1.0/1.1 protocols: members in UpperCamelCase (record components in
 * lowerCamelCase map onto them; the few exceptions carry {@code @JsonProperty}), absent members omitted,
 * timestamps as epoch seconds with millisecond fraction, unknown members rejected.
 */
public final class ApiJson {
    /**
     * Jackson's read and write buffers, shared by every request. Its default pool keeps them per thread, and Jetty
     * runs each request on a new virtual thread, so every request allocated fresh ones (a fifth of the server's
     * allocation in a profile). Bounded: at most this many idle buffer sets are kept (enough for the requests
     * that parse or write at one moment); more in use at once are allocated and dropped, as before.
     */
    static final RecyclerPool<BufferRecycler> BUFFERS = JsonRecyclerPools.newBoundedPool(64);

    private static final ObjectMapper API = build();

    /**
     * Free-form JSON documents (events, patterns, channel payloads, stored attributes): Jackson's defaults,
     * so member names are exactly as written. Shared: a configured mapper is thread-safe.
     */
    private static final ObjectMapper DOCUMENTS =
            JsonMapper.builder(pooledFactory()).build();

    private ApiJson() {}

    /** The AWS dialect every API request and response uses; one instance for the whole server. */
    public static ObjectMapper mapper() {
        return API;
    }

    /** The mapper for free-form documents, where members keep the names they are written with. */
    public static ObjectMapper documents() {
        return DOCUMENTS;
    }

    private static ObjectMapper build() {
        SimpleModule timestamps = new SimpleModule("aws-timestamps");
        timestamps.addSerializer(Instant.class, new EpochSecondsSerializer());
        return JsonMapper.builder(pooledFactory())
                .addModule(new JavaTimeModule())
                .addModule(timestamps)
                .propertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    /** A factory drawing its buffers from {@link #BUFFERS}. */
    static JsonFactory pooledFactory() {
        return JsonFactory.builder().recyclerPool(BUFFERS).build();
    }

    /** AWS JSON protocols carry timestamps as numbers of seconds since the epoch. */
    private static final class EpochSecondsSerializer extends StdSerializer<Instant> {
        private static final long serialVersionUID = 1L;

        EpochSecondsSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(BigDecimal.valueOf(value.toEpochMilli(), 3));
        }
    }
}

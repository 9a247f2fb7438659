package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The functions Step Functions adds to JSONata ({@code $partition}, {@code $range}, {@code $hash}, {@code $random}
 * with a seed, {@code $uuid}, {@code $parse}), the one it takes away ({@code $eval}: calling it fails with T1006,
 * as on AWS), and {@code $now}/{@code $millis} read from the caller's {@link Sources} instead of the machine clock.
 *
 * <p>Signatures are loose ({@code x?} per slot, one slot more than the function takes) so that every wrong call
 * reaches our code and fails with AWS's wording rather than the library's.
 */
final class AwsFunctions {
    private static final Set<String> HASH_ALGORITHMS = Set.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512");

    /** AWS's parser refuses trailing content and repeated keys. */
    private static final ObjectReader STRICT_JSON = new ObjectMapper()
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private AwsFunctions() {}

    // Built once: a function's signature is parsed when it is constructed.
    private static final Jsonata.JFunction PARTITION =
            new Jsonata.JFunction((in, args) -> partition(args), "<x?x?x?:x>");
    private static final Jsonata.JFunction RANGE = new Jsonata.JFunction((in, args) -> range(args), "<x?x?x?x?:x>");
    private static final Jsonata.JFunction HASH = new Jsonata.JFunction((in, args) -> hash(args), "<x?x?x?:x>");
    private static final Jsonata.JFunction RANDOM = new Jsonata.JFunction((in, args) -> random(args), "<x?x?:x>");
    private static final Jsonata.JFunction UUID = new Jsonata.JFunction((in, args) -> uuid(args), "<x?:x>");
    private static final Jsonata.JFunction PARSE = new Jsonata.JFunction((in, args) -> parse(args), "<x?x?:x>");
    private static final Jsonata.JFunction MILLIS =
            new Jsonata.JFunction((in, args) -> Call.current().now().toEpochMilli(), "<:n>");
    private static final Jsonata.JFunction NOW = new Jsonata.JFunction(
            (in, args) -> Functions.dateTimeFromMillis(
                    Call.current().now().toEpochMilli(), (String) arg(args, 0), (String) arg(args, 1)),
            "<s?s?:s>");

    private static final Jsonata.JFunction STRING = new Jsonata.JFunction(
            (in, args) -> Functions.string(wholeNumbersInFull(arg(args, 0)), (Boolean) arg(args, 1)), "<x-b?:s>");
    private static final Jsonata.JFunction COUNT = new Jsonata.JFunction((in, args) -> count(args), "<x?x?:n>");

    /** The sources of the evaluation running on this thread (the library calls functions on the caller's thread). */
    private static final ThreadLocal<Call> CALLS = new ThreadLocal<>();

    static void bind(Jsonata.Frame frame) {
        frame.bind("eval", (Object) null);
        frame.bind("partition", PARTITION);
        frame.bind("range", RANGE);
        frame.bind("hash", HASH);
        frame.bind("random", RANDOM);
        frame.bind("uuid", UUID);
        frame.bind("parse", PARSE);
        frame.bind("millis", MILLIS);
        frame.bind("now", NOW);
        frame.bind("count", COUNT);
        frame.bind("string", STRING);
    }

    /** Makes {@code sources} the ones this thread's evaluation reads until the returned scope is closed. */
    static Call enter(Sources sources) {
        Call call = new Call(sources, CALLS.get());
        CALLS.set(call);
        return call;
    }

    /** One evaluation's sources; {@code $now()} and {@code $millis()} give one instant per evaluation, as JSONata says. */
    static final class Call implements AutoCloseable {
        private final Sources sources;
        private final Call outer;
        private Instant now;

        private Call(Sources sources, Call outer) {
            this.sources = sources;
            this.outer = outer;
        }

        static Call current() {
            Call call = CALLS.get();
            return call == null ? new Call(Sources.SYSTEM, null) : call;
        }

        Instant now() {
            if (now == null) {
                now = sources.now();
            }
            return now;
        }

        @Override
        public void close() {
            if (outer == null) {
                CALLS.remove();
            } else {
                CALLS.set(outer);
            }
        }
    }

    private static Object arg(List<?> args, int index) {
        return args != null && index < args.size() ? args.get(index) : null;
    }

    private static JException signature(String function, int argument) {
        return new JException(
                "T0410: Argument " + argument + " of function \"" + function + "\" does not match function signature",
                -1);
    }

    private static void noMoreThan(List<?> args, String function, int count) {
        if (arg(args, count) != null) {
            throw signature(function, count + 1);
        }
    }

    /** A number argument rounded towards zero, as AWS does (-1.7 is -1). */
    private static long integer(Object value, String function, int argument) {
        if (!(value instanceof Number number) || value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            throw signature(function, argument);
        }
        return (long) number.doubleValue();
    }

    /**
     * For {@code $string}: JavaScript (and AWS) writes a whole number below 1e21 in full ({@code $string(1e20)} is
     * {@code "100000000000000000000"}); the library switches to exponent notation past the long range. The digits
     * are those of the shortest decimal that reads back as the double, as JavaScript prints them.
     */
    private static Object wholeNumbersInFull(Object value) {
        if (value instanceof Double number) {
            boolean whole = !number.isInfinite() && !number.isNaN() && number == Math.rint(number);
            return whole && Math.abs(number) < 1e21 ? BigDecimal.valueOf(number).toBigInteger() : number;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, member) -> copy.put(key, wholeNumbersInFull(member)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(element -> copy.add(wholeNumbersInFull(element)));
            return copy;
        }
        return value;
    }

    /**
     * {@code $count} as jsonata-js counts: a JSON null is one value (the library counts it as nothing, AWS as 1),
     * nothing is 0, an array its length, any other value 1.
     */
    private static Object count(List<?> args) {
        noMoreThan(args, "count", 1);
        Object value = arg(args, 0);
        if (value == null) {
            return 0;
        }
        return value instanceof List<?> list ? list.size() : 1;
    }

    private static Object partition(List<?> args) {
        noMoreThan(args, "partition", 2);
        Object array = arg(args, 0);
        if (array == null) {
            return null;
        }
        if (!(array instanceof List<?> items)) {
            throw new JException("T0412: Argument 1 of function \"partition\" must be an array of undefined", -1);
        }
        if (items.isEmpty()) {
            return null;
        }
        Object sizeArg = arg(args, 1);
        if (sizeArg == null) {
            return new ArrayList<>(List.of(new ArrayList<>(items)));
        }
        long size = integer(sizeArg, "partition", 2);
        if (size < 0) {
            throw new JException("D3137: Second argument must be zero or greater", -1);
        }
        if (size == 0) {
            return null;
        }
        int chunk = (int) Math.min(size, items.size());
        List<Object> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += chunk) {
            chunks.add(new ArrayList<>(items.subList(i, Math.min(i + chunk, items.size()))));
        }
        return chunks;
    }

    private static Object range(List<?> args) {
        noMoreThan(args, "range", 3);
        long start = integer(arg(args, 0), "range", 1);
        long end = integer(arg(args, 1), "range", 2);
        Object stepArg = arg(args, 2);
        if (stepArg == null) {
            return null;
        }
        long step = integer(stepArg, "range", 3);
        if (step == 0 || step > 0 && start > end || step < 0 && start < end) {
            return null;
        }
        if (start == end) {
            return start;
        }
        // Counted before it is built: a huge range fails on the memory bound instead of exhausting the heap.
        double count = Math.floor(((double) end - (double) start) / step) + 1;
        if (count > Evaluator.MAX_ELEMENTS) {
            throw new Evaluator.Bound(Evaluator.MEMORY_LIMIT);
        }
        List<Object> values = new ArrayList<>((int) count);
        long value = start;
        for (int i = 0; i < (int) count; i++) {
            values.add(value);
            value += step;
        }
        return values;
    }

    private static Object hash(List<?> args) {
        noMoreThan(args, "hash", 2);
        if (!(arg(args, 0) instanceof String value)) {
            throw signature("hash", 1);
        }
        Object algorithmArg = arg(args, 1);
        if (algorithmArg == null) {
            return null;
        }
        if (!(algorithmArg instanceof String algorithm)) {
            throw signature("hash", 2);
        }
        if (!HASH_ALGORITHMS.contains(algorithm)) {
            throw new JException(
                    "D3137: Hash algorithm '" + algorithm + "' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5",
                    -1);
        }
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    /** With a seed, the value {@code java.util.Random} gives for it: AWS's {@code $random(42)} is the same. */
    private static Object random(List<?> args) {
        noMoreThan(args, "random", 1);
        Object seed = arg(args, 0);
        if (seed == null) {
            return Call.current().sources.random();
        }
        return new Random(integer(seed, "random", 1)).nextDouble();
    }

    private static Object uuid(List<?> args) {
        noMoreThan(args, "uuid", 0);
        return Call.current().sources.newUuid();
    }

    private static Object parse(List<?> args) {
        noMoreThan(args, "parse", 1);
        Object text = arg(args, 0);
        if (text == null) {
            return null;
        }
        if (!(text instanceof String json)) {
            throw signature("parse", 1);
        }
        JsonNode parsed;
        try {
            parsed = STRICT_JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new JException("D3137: Invalid JSON", -1);
        }
        if (parsed == null || parsed.isMissingNode()) {
            throw new JException("D3137: Invalid JSON", -1);
        }
        return Values.toJava(parsed);
    }
}

package dev.patchtide.workflow.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringTokenizer;

/** The intrinsic functions themselves, over evaluated arguments. */
final class IntrinsicFunctions {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_RANGE = 1000;
    private static final int MAX_ENCODED = 10_000;
    private static final Map<String, String> DIGESTS =
            Map.of("MD5", "MD5", "SHA-1", "SHA-1", "SHA-256", "SHA-256", "SHA-384", "SHA-384", "SHA-512", "SHA-512");
    private static final Set<String> NAMES = Set.of(
            "States.Format",
            "States.StringToJson",
            "States.JsonToString",
            "States.Array",
            "States.ArrayPartition",
            "States.ArrayContains",
            "States.ArrayRange",
            "States.ArrayGetItem",
            "States.ArrayLength",
            "States.ArrayUnique",
            "States.Base64Encode",
            "States.Base64Decode",
            "States.Hash",
            "States.JsonMerge",
            "States.MathRandom",
            "States.MathAdd",
            "States.StringSplit",
            "States.UUID");

    private IntrinsicFunctions() {}

    static boolean known(String name) {
        return NAMES.contains(name);
    }

    static JsonNode apply(IntrinsicCall call, List<JsonNode> args, Randomness randomness) {
        String name = call.name();
        return switch (name) {
            case "States.Format" -> format(call, args);
            case "States.StringToJson" -> stringToJson(name, args);
            case "States.JsonToString" -> JSON.textNode(one(name, args).toString());
            case "States.Array" -> JSON.arrayNode().addAll(args);
            case "States.ArrayPartition" -> partition(name, args);
            case "States.ArrayContains" ->
                JSON.booleanNode(JavaValues.containsByText(array(name, args, 2, 0), args.get(1)));
            case "States.ArrayRange" -> range(name, args);
            case "States.ArrayGetItem" -> getItem(name, args);
            case "States.ArrayLength" -> JSON.numberNode(array(name, args, 1, 0).size());
            case "States.ArrayUnique" -> unique(name, args);
            case "States.Base64Encode" -> base64Encode(name, args);
            case "States.Base64Decode" -> base64Decode(name, args);
            case "States.Hash" -> hash(name, args);
            case "States.JsonMerge" -> merge(name, args);
            case "States.MathRandom" -> random(name, args, randomness);
            case "States.MathAdd" -> add(name, args);
            case "States.StringSplit" -> split(name, args);
            case "States.UUID" -> {
                count(name, args, 0);
                yield JSON.textNode(randomness.uuid().get());
            }
            default -> throw new StatesError(StatesError.RUNTIME, "Unsupported intrinsic function " + name);
        };
    }

    /** An int node when the value fits (as parsed JSON would hold it), else a long node. */
    static JsonNode number(long value) {
        return value == (int) value ? JSON.numberNode((int) value) : JSON.numberNode(value);
    }

    private static StatesError invalid(String name) {
        return new StatesError(StatesError.RUNTIME, "Invalid arguments in " + name);
    }

    private static void count(String name, List<JsonNode> args, int expected) {
        if (args.size() != expected) {
            throw invalid(name);
        }
    }

    private static JsonNode one(String name, List<JsonNode> args) {
        count(name, args, 1);
        return args.get(0);
    }

    private static ArrayNode array(String name, List<JsonNode> args, int expected, int index) {
        count(name, args, expected);
        JsonNode node = args.get(index);
        if (!node.isArray()) {
            throw invalid(name);
        }
        return (ArrayNode) node;
    }

    private static String text(String name, JsonNode node) {
        if (!node.isTextual()) {
            throw invalid(name);
        }
        return node.textValue();
    }

    /** A number argument taken as an integer, its fraction dropped (as AWS does). */
    private static long integer(String name, JsonNode node) {
        if (!node.isNumber()) {
            throw invalid(name);
        }
        return node.isIntegralNumber() ? node.longValue() : (long) node.doubleValue();
    }

    private static JsonNode format(IntrinsicCall call, List<JsonNode> args) {
        String name = call.name();
        if (args.isEmpty() || !args.get(0).isTextual()) {
            throw invalid(name);
        }
        String template = call.args().get(0) instanceof IntrinsicCall.Arg.Literal literal
                ? literal.raw()
                : args.get(0).textValue();
        StringBuilder out = new StringBuilder();
        int next = 1;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length()) {
                out.append(template.charAt(++i));
            } else if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                if (next >= args.size()) {
                    throw invalid(name);
                }
                JsonNode value = args.get(next++);
                out.append(JavaValues.text(value)); // objects as {a=1}, arrays as [1, 2], as AWS renders them
                i++;
            } else if (c == '{' || c == '}') {
                throw invalid(name);
            } else {
                out.append(c);
            }
        }
        if (next != args.size()) {
            throw invalid(name);
        }
        return JSON.textNode(out.toString());
    }

    private static JsonNode stringToJson(String name, List<JsonNode> args) {
        String text = text(name, one(name, args));
        try {
            JsonNode parsed = MAPPER.readTree(text);
            // An empty (or blank) text reads as null, as AWS returns it.
            return parsed == null || parsed.isMissingNode() ? JSON.nullNode() : parsed;
        } catch (JsonProcessingException e) {
            throw invalid(name);
        }
    }

    private static JsonNode partition(String name, List<JsonNode> args) {
        ArrayNode array = array(name, args, 2, 0);
        long size = integer(name, args.get(1));
        if (size <= 0) {
            throw invalid(name);
        }
        ArrayNode out = JSON.arrayNode();
        for (int start = 0; start < array.size(); start += (int) Math.min(size, Integer.MAX_VALUE)) {
            ArrayNode chunk = out.addArray();
            for (int i = start; i < array.size() && i < start + size; i++) {
                chunk.add(array.get(i));
            }
        }
        return out;
    }

    private static JsonNode range(String name, List<JsonNode> args) {
        count(name, args, 3);
        long start = integer(name, args.get(0));
        long end = integer(name, args.get(1));
        long step = integer(name, args.get(2));
        if (step == 0) {
            throw invalid(name);
        }
        long items = (step > 0 ? end - start : start - end) < 0 ? 0 : (Math.abs(end - start) / Math.abs(step)) + 1;
        if (items > MAX_RANGE) {
            throw invalid(name);
        }
        ArrayNode out = JSON.arrayNode();
        for (long i = 0, v = start; i < items; i++, v += step) {
            out.add(number(v));
        }
        return out;
    }

    private static JsonNode getItem(String name, List<JsonNode> args) {
        ArrayNode array = array(name, args, 2, 0);
        long index = integer(name, args.get(1));
        if (array.isEmpty()) {
            return JSON.nullNode(); // as AWS answers for an empty array, whatever the index
        }
        if (index < 0 || index >= array.size()) {
            throw invalid(name);
        }
        return array.get((int) index);
    }

    private static JsonNode unique(String name, List<JsonNode> args) {
        return JSON.arrayNode().addAll(JavaValues.unique(array(name, args, 1, 0)));
    }

    private static JsonNode base64Encode(String name, List<JsonNode> args) {
        String text = text(name, one(name, args));
        if (text.length() > MAX_ENCODED) {
            throw invalid(name);
        }
        return JSON.textNode(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Lenient, as AWS is: characters outside the Base64 alphabet are skipped, the first {@code =} ends the data and
     * a short final group still yields its whole bytes.
     */
    private static JsonNode base64Decode(String name, List<JsonNode> args) {
        String text = text(name, one(name, args));
        if (text.length() > MAX_ENCODED) {
            throw invalid(name);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=') {
                break;
            }
            int value = sextet(c);
            if (value < 0) {
                continue;
            }
            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                bytes.write((buffer >> bits) & 0xFF);
            }
        }
        return JSON.textNode(bytes.toString(StandardCharsets.UTF_8));
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    }

    private static JsonNode hash(String name, List<JsonNode> args) {
        count(name, args, 2);
        JsonNode data = args.get(0);
        String algorithm = DIGESTS.get(text(name, args.get(1)));
        if (algorithm == null || data.isNull()) {
            throw invalid(name);
        }
        String input = JavaValues.text(data); // numbers and objects hash as their Java text, as on AWS
        if (input.length() > MAX_ENCODED) {
            throw invalid(name);
        }
        try {
            byte[] digest = MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8));
            return JSON.textNode(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw invalid(name);
        }
    }

    private static JsonNode merge(String name, List<JsonNode> args) {
        count(name, args, 3);
        JsonNode left = args.get(0);
        JsonNode right = args.get(1);
        JsonNode deep = args.get(2);
        // Only a true flag (a deep merge, which AWS does not offer) fails; other values merge shallowly, as on AWS.
        if (!left.isObject() || !right.isObject() || (deep.isBoolean() && deep.booleanValue())) {
            throw invalid(name);
        }
        ObjectNode out = JSON.objectNode();
        out.setAll((ObjectNode) left);
        out.setAll((ObjectNode) right);
        return out;
    }

    private static JsonNode random(String name, List<JsonNode> args, Randomness randomness) {
        if (args.size() != 2 && args.size() != 3) {
            throw invalid(name);
        }
        long start = integer(name, args.get(0));
        long end = integer(name, args.get(1));
        if (start >= end) {
            throw invalid(name);
        }
        long range = end - start;
        if (args.size() == 3 && range <= Integer.MAX_VALUE) {
            // A seed makes the value repeatable: java.util.Random's, as a Java service would draw it.
            return number(start + new Random(integer(name, args.get(2))).nextInt((int) range));
        }
        long value = start + (long) Math.floor(randomness.random().getAsDouble() * range);
        return number(Math.min(value, end - 1));
    }

    /** Both operands rounded to the nearest integer, each and the sum within 32-bit integers. */
    private static JsonNode add(String name, List<JsonNode> args) {
        count(name, args, 2);
        long sum = rounded(name, args.get(0)) + rounded(name, args.get(1));
        if (sum != (int) sum) {
            throw invalid(name);
        }
        return JSON.numberNode((int) sum);
    }

    private static long rounded(String name, JsonNode node) {
        if (!node.isNumber()) {
            throw invalid(name);
        }
        long value =
                node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : Math.round(node.doubleValue());
        if (value != (int) value) {
            throw invalid(name);
        }
        return value;
    }

    private static JsonNode split(String name, List<JsonNode> args) {
        count(name, args, 2);
        String text = text(name, args.get(0));
        String delimiters = text(name, args.get(1));
        ArrayNode out = JSON.arrayNode();
        // Every character of the second argument is a delimiter; empty pieces are dropped.
        StringTokenizer tokens = new StringTokenizer(text, delimiters);
        List<String> pieces = new ArrayList<>();
        while (tokens.hasMoreTokens()) {
            pieces.add(tokens.nextToken());
        }
        pieces.forEach(out::add);
        return out;
    }
}

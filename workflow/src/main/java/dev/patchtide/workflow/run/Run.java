package dev.patchtide.workflow.run;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The snapshot: every frame of one execution, the pending tasks and timers, and the counters for new ids. */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
final class Run implements Snapshot {
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    /** What a timer is for. */
    enum TimerKind {
        WAIT,
        BACKOFF,
        TIMEOUT,
        HEARTBEAT,
        EXECUTION
    }

    String executionArn;
    String executionName;
    String roleArn;
    String startTime;
    String stateMachineArn;
    String stateMachineName;
    int redriveCount;
    JsonNode input;

    long lastEventId;
    long serial;
    boolean done;
    String rootId;
    Map<String, Frame> frames = new LinkedHashMap<>();
    /** Task id → frame id. */
    Map<String, String> tasks = new LinkedHashMap<>();
    /** Timer id → "kind:frame id". */
    Map<String, String> timers = new LinkedHashMap<>();

    String newId(String prefix) {
        return prefix + (++serial);
    }

    @Override
    public JsonNode toJson() {
        return JSON.valueToTree(this);
    }

    static Run fromJson(JsonNode json) {
        try {
            return JSON.treeToValue(json, Run.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a snapshot of this interpreter: " + e.getMessage(), e);
        }
    }

    Run copy() {
        return fromJson(toJson());
    }
}

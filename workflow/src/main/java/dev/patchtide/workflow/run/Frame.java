package dev.patchtide.workflow.run;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One thread of an execution: the top level, a Parallel branch or a Map iteration. It runs one state at a time;
 * mutable so a step costs no copies (the public {@link Interpreter#resume} copies the snapshot first).
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
final class Frame {
    enum Status {
        READY,
        TASK,
        WAIT,
        BACKOFF,
        FAN,
        SUCCEEDED,
        FAILED,
        ABORTED
    }

    String id;
    /** The frame running the Parallel or Map state this frame belongs to; null at the top level. */
    String parent;
    /** Branch or iteration index. */
    int index;
    /** Where this frame's graph is: pairs of (state name, branch index) from the top level down. */
    List<String> graph = new ArrayList<>();
    /** Variables this frame assigned (a branch or iteration reads its parents' too). */
    Map<String, JsonNode> vars = new LinkedHashMap<>();

    Status status = Status.READY;

    String state;
    /** The current state's raw input. */
    JsonNode input;
    /** Whether the current state's Entered event is written (a retry runs the state again without it). */
    boolean entered;

    /** When the current state was entered (epoch millis), for {@code $$.State.EnteredTime}. */
    long enteredAt;

    long enteredEvent;
    long lastEvent;
    int retryCount;
    List<Integer> retries;

    // a task in progress
    String taskId;
    String taskToken;
    boolean taskStarted;
    JsonNode taskInput;
    long heartbeatSeconds;
    String timeoutTimer;
    String heartbeatTimer;
    /** A Wait's or a retry back-off's timer. */
    String timer;
    /** A Wait state's output, written when its timer fires. */
    JsonNode pending;

    Map<String, JsonNode> pendingVars;

    Fan fan;

    @JsonIgnore
    transient Scope scope;

    @JsonIgnore
    transient Object graphCache;

    void enter(String stateName, JsonNode stateInput) {
        state = stateName;
        input = stateInput;
        entered = false;
        retryCount = 0;
        retries = null;
        status = Status.READY;
    }

    void assign(Map<String, JsonNode> values) {
        if (values != null && !values.isEmpty()) {
            vars.putAll(values);
            scope = null;
        }
    }

    int retries(int retrier) {
        return retries == null || retries.size() <= retrier ? 0 : retries.get(retrier);
    }

    void countRetry(int retrier) {
        if (retries == null) {
            retries = new ArrayList<>();
        }
        while (retries.size() <= retrier) {
            retries.add(0);
        }
        retries.set(retrier, retries.get(retrier) + 1);
        retryCount++;
    }

    void clearTask() {
        taskId = null;
        taskToken = null;
        taskStarted = false;
        taskInput = null;
        heartbeatSeconds = 0;
        timeoutTimer = null;
        heartbeatTimer = null;
    }
}

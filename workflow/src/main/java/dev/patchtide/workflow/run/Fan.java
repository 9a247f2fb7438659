package dev.patchtide.workflow.run;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A Parallel or Map state in progress: its children's inputs, the frames running and the results so far. */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
final class Fan {
    boolean map;
    List<JsonNode> inputs = new ArrayList<>();
    /** Frame id of each child; null before it starts and after it ends. */
    List<String> children = new ArrayList<>();

    List<JsonNode> results = new ArrayList<>();
    int next;
    int running;
    int done;
    int failed;
    /** 0: unbounded. */
    int maxConcurrency;
    /** -1: no failure tolerated and the failing child's error is the state's (inline Map, Parallel). */
    long toleratedCount = -1;

    double toleratedPercentage = -1;
    long startedEvent;
    /** The last MapIterationSucceeded/Failed, which MapStateSucceeded follows. */
    long lastIteration;
    /** The state's effective input, for ResultPath in JSONPath and {@code $states.input} in JSONata. */
    JsonNode stateInput;
}

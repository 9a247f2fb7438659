package dev.patchtide.workflow.jsonata;

import static dev.patchtide.workflow.jsonata.JsonataTest.failure;
import static dev.patchtide.workflow.jsonata.JsonataTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A hostile expression fails the state (as on AWS) instead of holding the thread or the heap. */
class BoundsTest {
    private static final String SENTENCE = "specified for the field 'Output/r' threw an error during evaluation: ";

    private static JsonNode eval(String expression) {
        return Jsonata.evaluate(expression, "Output/r", JsonataTest.states("{}"), Scope.EMPTY, Sources.SYSTEM);
    }

    @Test
    void deepRecursionFailsOnTheDepthBound() {
        StatesError error = failure(() -> eval("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000))"));
        assertThat(error.error()).isEqualTo(StatesError.QUERY_EVALUATION_ERROR);
        assertThat(error.cause()).contains(SENTENCE + "Stack overflow error: Check for non-terminating recursive");
        // Shallow recursion is fine.
        assertThat(eval("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(3))"))
                .isEqualTo(json("3"));
    }

    @Test
    void aLongChainOfOperatorsFailsOnTheDepthBound() {
        String chain = "1" + "+1".repeat(199);
        assertThat(failure(() -> eval(chain)).cause()).contains("Stack overflow error");
        assertThat(eval("1" + "+1".repeat(20))).isEqualTo(json("21"));
    }

    @Test
    void aHugeValueFailsOnTheMemoryBound() {
        assertThat(failure(() -> eval("[1..900000] ~> $count()")).cause())
                .endsWith(SENTENCE + "Expression evaluation memory limit exceeded: Check for excessive memory usage");
        assertThat(failure(() -> eval("$range(0, 100000000, 1)")).cause()).contains("memory limit exceeded");
        assertThat(failure(() -> eval("($s := function($t, $n) { $n = 0 ? $t : $s($t & $t, $n - 1) }; "
                                + "$length($s('x', 30)))"))
                        .cause())
                .contains("memory limit exceeded");
        assertThat(eval("$count([1..1000])")).isEqualTo(json("1000"));
    }

    @Test
    void aNeverEndingTailRecursionFailsOnTheTimeBound() {
        Bindings bindings =
                new Bindings(JsonataTest.states("{}"), Scope.EMPTY, Sources.SYSTEM, TimeUnit.MILLISECONDS.toNanos(200));
        long started = System.nanoTime();
        StatesError error = failure(
                () -> Jsonata.evaluate("($f := function($x) { $f($x + 1) }; $f(1))", "Output/r", bindings, false));
        assertThat(error.cause()).endsWith(SENTENCE + "Expression evaluation timeout: Check for infinite loop");
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(4));
    }
}

package dev.patchtide.workflow.jsonata;

import static dev.patchtide.workflow.jsonata.JsonataTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Compiled expressions are shared between threads and between calls; no call may see another's bindings. */
class ConcurrencyTest {
    @Test
    void aVariableBoundInOneCallIsNotSeenByTheNext() {
        String expression = "$leak & '|' & $states.input.k";
        Scope with = Scope.EMPTY.assign(Map.of("leak", json("\"secret\"")));
        assertThat(Jsonata.evaluate(expression, JsonataTest.states("{\"k\":\"a\"}"), with)
                        .textValue())
                .isEqualTo("secret|a");
        // Same text, so the same compiled object; now without the variable the first call had.
        JsonNode second = Jsonata.evaluate("$leak", JsonataTest.states("{\"k\":\"b\"}"), Scope.EMPTY);
        assertThat(second.isMissingNode()).isTrue();
        assertThat(Jsonata.evaluate(expression, JsonataTest.states("{\"k\":\"b\"}"), Scope.EMPTY)
                        .textValue())
                .isEqualTo("|b");
    }

    @Test
    void manyThreadsEvaluatingTheSameExpressionsSeeTheirOwnInputs() throws Exception {
        String[] expressions = {
            "$states.input.n * 2 + $v",
            "$sum($map([1..$states.input.n], function($i) { $i * $v }))",
            "{'n': $states.input.n, 'v': $v, 'f': ($f := function($x) { $x <= 1 ? 1 : $x * $f($x - 1) }; $f(5))}"
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        int n = thread * 1000 + i;
                        int v = thread + 1;
                        JsonNode states = JsonataTest.states("{\"n\":" + n + "}");
                        Scope scope = Scope.EMPTY.assign(Map.of("v", json(Integer.toString(v))));
                        String expression = expressions[i % expressions.length];
                        JsonNode got = Jsonata.evaluate(expression, states, scope);
                        String want =
                                switch (i % expressions.length) {
                                    case 0 -> Integer.toString(n * 2 + v);
                                    case 1 -> Long.toString((long) n * (n + 1) / 2 * v);
                                    default -> "{\"n\":" + n + ",\"v\":" + v + ",\"f\":120}";
                                };
                        if (!got.equals(json(want))) {
                            return "thread " + thread + " call " + i + ": " + expression + " gave " + got + ", wanted "
                                    + want;
                        }
                    }
                    return "ok";
                }));
            }
            for (Future<String> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

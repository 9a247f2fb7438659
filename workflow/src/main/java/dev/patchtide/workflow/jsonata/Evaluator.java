package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;

/**
 * Evaluates expressions with {@code $states}, the workflow variables and AWS's functions bound, inside the bounds
 * AWS holds (nesting depth 100, a value's size) plus a time bound of our own, so a hostile expression ends in a
 * {@code States.QueryEvaluationError} instead of holding a server thread.
 */
final class Evaluator {
    static final String STACK_OVERFLOW = "Stack overflow error: Check for non-terminating recursive function. "
            + "Consider rewriting as tail-recursive.";
    static final String TIMEOUT = "Expression evaluation timeout: Check for infinite loop";
    static final String MEMORY_LIMIT = "Expression evaluation memory limit exceeded: Check for excessive memory usage";

    /** AWS evaluates nesting depth 100 and refuses 101 (counted as the library counts its evaluation steps). */
    static final int MAX_DEPTH = 100;

    /** AWS refuses a value past about 7 MB (873,782 numbers; a string of 2^23 characters). */
    static final long MAX_ELEMENTS = 873_782;

    static final long MAX_STRING = 873_782L * 8;

    static final long TIME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private Evaluator() {}

    /** What one evaluation gave: a value, JSON null, or nothing (undefined). */
    sealed interface Result {
        record Value(JsonNode json) implements Result {}

        record Undefined() implements Result {}

        /** A value JSON cannot hold (a function). */
        record Unsupported() implements Result {}
    }

    /** A failed evaluation, worded for the cause. */
    static final class Failed extends RuntimeException {
        private final Failure failure;

        Failed(Failure failure) {
            super(failure.text(), null, false, false);
            this.failure = failure;
        }

        Failure failure() {
            return failure;
        }
    }

    /** One of our bounds tripped; worded as AWS words it. */
    static final class Bound extends JException {
        Bound(String message) {
            super(message, -1);
        }
    }

    static Result evaluate(String expression, Bindings bindings) {
        Programs.Program program = Programs.compile(expression);
        if (program.syntaxError() != null) {
            throw new Failed(program.syntaxError());
        }
        Jsonata.Frame frame = program.jsonata().createFrame();
        Guard guard = new Guard(System.nanoTime() + bindings.timeLimitNanos());
        guard.install(frame);
        AwsFunctions.bind(frame);
        for (String name : program.variables()) {
            Object value = bindings.variable(name);
            if (value != null) {
                frame.bind(name, value);
            }
        }
        Object result;
        AwsFunctions.Call call = AwsFunctions.enter(bindings.sources());
        try {
            result = program.jsonata().evaluate(null, frame);
        } catch (StackOverflowError e) {
            throw new Failed(new Failure(STACK_OVERFLOW, false));
        } catch (RuntimeException e) {
            if (guard.depth() == 1
                    && e instanceof JException jsonata
                    && "D1001".equals(jsonata.getError())
                    && jsonata.getCurrent() instanceof Number number) {
                // The library refuses a non-finite number where JavaScript carries it; when the whole expression
                // is that number AWS answers it (written "Infinity"), so do the same. Deeper, it fails (a
                // conservative difference: AWS would carry it on).
                return new Result.Value(Values.toJson(number.doubleValue()));
            }
            throw new Failed(Failure.of(rootCause(e), expression));
        } finally {
            call.close();
        }
        if (result == null) {
            // The library turns JSON null into Java null on the way out; the top step's own value tells them apart.
            return guard.rootWasNull() ? new Result.Value(Values.toJson(null)) : new Result.Undefined();
        }
        try {
            return new Result.Value(Values.toJson(result));
        } catch (Values.UnsupportedResult e) {
            return new Result.Unsupported();
        }
    }

    /** Our bound or a library error may arrive wrapped by a function-call site. */
    private static Throwable rootCause(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof Bound || t instanceof JException) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return thrown;
    }
}

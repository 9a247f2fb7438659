package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.State;
import java.util.Optional;

/**
 * Task states: schedule a task as an effect, then follow the host's signals to its end. Service integrations,
 * activities and plain Lambda function ARNs each write their own event types.
 */
final class Tasks {
    private final Engine engine;

    Tasks(Engine engine) {
        this.engine = engine;
    }

    void schedule(Frame frame, State.Task task) {
        Resource resource = Resource.of(task.resource());
        frame.taskToken = resource.needsToken() ? engine.env.newTaskToken() : null;
        Flow flow = new Flow(engine, frame, task);
        JsonNode effective;
        JsonNode parameters;
        if (flow.jsonata()) {
            effective = frame.input;
            JsonNode arguments = task.io().arguments();
            parameters = arguments == null ? frame.input : flow.field(arguments, "Arguments", flow.states(null, null));
        } else {
            effective = flow.inputPath(frame.input);
            parameters = flow.parameters(effective);
        }
        long timeout = task.timeoutSeconds()
                .map(d -> flow.whole(d, effective, "TimeoutSeconds"))
                .orElse(0L);
        long heartbeat = task.heartbeatSeconds()
                .map(d -> flow.whole(d, effective, "HeartbeatSeconds"))
                .orElse(0L);
        Optional<JsonNode> credentials =
                task.credentials().map(c -> flow.jsonata() ? flow.field(c, "Credentials", flow.states(null, null)) : c);

        Run run = engine.run;
        frame.taskId = run.newId("task-");
        frame.status = Frame.Status.TASK;
        frame.taskStarted = false;
        frame.taskInput = parameters;
        frame.heartbeatSeconds = heartbeat;
        run.tasks.put(frame.taskId, frame.id);
        ObjectNode details = Flow.NODES.objectNode();
        switch (resource.kind()) {
            case SERVICE -> {
                details.put("resourceType", resource.resourceType());
                details.put("resource", resource.resource());
                details.put("region", region(run.executionArn));
                details.put("parameters", parameters.toString());
                putSeconds(details, timeout, heartbeat);
                engine.emit(frame, "TaskScheduled", "taskScheduledEventDetails", details);
            }
            case ACTIVITY -> {
                details.put("resource", resource.arn());
                details.put("input", parameters.toString());
                details.set("inputDetails", Events.untruncated());
                putSeconds(details, timeout, heartbeat);
                engine.emit(frame, "ActivityScheduled", "activityScheduledEventDetails", details);
            }
            case LAMBDA -> {
                details.put("resource", resource.arn());
                details.put("input", parameters.toString());
                details.set("inputDetails", Events.untruncated());
                putSeconds(details, timeout, 0);
                engine.emit(frame, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details);
            }
        }
        engine.effects.add(new Effect.RunTask(
                frame.taskId,
                task.name(),
                resource.arn(),
                resource.pattern(),
                parameters,
                credentials,
                Optional.ofNullable(frame.taskToken)));
        if (timeout > 0) {
            frame.timeoutTimer = engine.startTimer(
                    Run.TimerKind.TIMEOUT, frame, engine.env.now().plusSeconds(timeout));
        }
        restartHeartbeat(frame);
    }

    private static void putSeconds(ObjectNode details, long timeout, long heartbeat) {
        if (timeout > 0) {
            details.put("timeoutInSeconds", timeout);
        }
        if (heartbeat > 0) {
            details.put("heartbeatInSeconds", heartbeat);
        }
    }

    private static String region(String executionArn) {
        String[] parts = executionArn == null ? new String[0] : executionArn.split(":");
        return parts.length > 3 ? parts[3] : "";
    }

    private void restartHeartbeat(Frame frame) {
        if (frame.heartbeatSeconds <= 0) {
            return;
        }
        engine.cancelTimer(frame.heartbeatTimer);
        frame.heartbeatTimer = engine.startTimer(
                Run.TimerKind.HEARTBEAT, frame, engine.env.now().plusSeconds(frame.heartbeatSeconds));
    }

    private Frame owner(String taskId) {
        String frameId = engine.run.tasks.get(taskId);
        return frameId == null ? null : engine.run.frames.get(frameId);
    }

    private State.Task task(Frame frame) {
        return (State.Task) engine.state(frame);
    }

    void started(String taskId, String workerName) {
        Frame frame = owner(taskId);
        if (frame != null && !frame.taskStarted) {
            markStarted(frame, workerName);
            restartHeartbeat(frame);
        }
    }

    private void markStarted(Frame frame, String workerName) {
        frame.taskStarted = true;
        Resource resource = Resource.of(task(frame).resource());
        switch (resource.kind()) {
            case SERVICE -> engine.emit(frame, "TaskStarted", "taskStartedEventDetails", typed(resource));
            case ACTIVITY -> {
                ObjectNode details = Flow.NODES.objectNode();
                if (workerName != null) {
                    details.put("workerName", workerName);
                }
                engine.emit(frame, "ActivityStarted", "activityStartedEventDetails", details);
            }
            case LAMBDA -> engine.emit(frame, "LambdaFunctionStarted", null, null);
        }
    }

    private static ObjectNode typed(Resource resource) {
        ObjectNode details = Flow.NODES.objectNode();
        details.put("resourceType", resource.resourceType());
        details.put("resource", resource.resource());
        return details;
    }

    void submitted(String taskId, JsonNode output) {
        Frame frame = owner(taskId);
        if (frame == null) {
            return;
        }
        if (!frame.taskStarted) {
            markStarted(frame, null);
        }
        ObjectNode details = typed(Resource.of(task(frame).resource()));
        details.put("output", output.toString());
        details.set("outputDetails", Events.untruncated());
        engine.emit(frame, "TaskSubmitted", "taskSubmittedEventDetails", details);
    }

    void heartbeat(String taskId) {
        Frame frame = owner(taskId);
        if (frame != null) {
            restartHeartbeat(frame);
        }
    }

    void succeeded(String taskId, JsonNode output) {
        Frame frame = owner(taskId);
        if (frame == null) {
            return;
        }
        State.Task task = task(frame);
        Resource resource = Resource.of(task.resource());
        if (!frame.taskStarted && resource.kind() != Resource.Kind.ACTIVITY) {
            markStarted(frame, null);
        }
        ObjectNode details = resource.kind() == Resource.Kind.SERVICE ? typed(resource) : Flow.NODES.objectNode();
        details.put("output", output.toString());
        details.set("outputDetails", Events.untruncated());
        String type =
                switch (resource.kind()) {
                    case SERVICE -> "Task";
                    case ACTIVITY -> "Activity";
                    case LAMBDA -> "LambdaFunction";
                };
        engine.emit(frame, type + "Succeeded", lower(type) + "SucceededEventDetails", details);
        end(frame);
        engine.fans.result(frame, task, output);
    }

    void failed(String taskId, String error, String cause) {
        Frame frame = owner(taskId);
        if (frame == null) {
            return;
        }
        Resource resource = Resource.of(task(frame).resource());
        if (!frame.taskStarted && resource.kind() != Resource.Kind.ACTIVITY) {
            markStarted(frame, null);
        }
        ended(frame, resource, "Failed", error, cause);
    }

    void timedOut(Frame frame, String timerId) {
        if (timerId.equals(frame.heartbeatTimer)) {
            frame.heartbeatTimer = null;
        } else {
            frame.timeoutTimer = null;
        }
        engine.effects.add(new Effect.CancelTask(frame.taskId));
        // AWS reports a missed heartbeat as States.Timeout too
        ended(frame, Resource.of(task(frame).resource()), "TimedOut", StatesError.TIMEOUT, null);
    }

    private void ended(Frame frame, Resource resource, String how, String error, String cause) {
        ObjectNode details = resource.kind() == Resource.Kind.SERVICE ? typed(resource) : Flow.NODES.objectNode();
        details.setAll(Events.errorCause(error, cause));
        String type =
                switch (resource.kind()) {
                    case SERVICE -> "Task";
                    case ACTIVITY -> "Activity";
                    case LAMBDA -> "LambdaFunction";
                };
        engine.emit(frame, type + how, lower(type) + how + "EventDetails", details);
        State.Task task = task(frame);
        end(frame);
        engine.failState(frame, task, error, cause);
        engine.ready(frame);
    }

    private void end(Frame frame) {
        engine.run.tasks.remove(frame.taskId);
        engine.cancelTimer(frame.timeoutTimer);
        engine.cancelTimer(frame.heartbeatTimer);
        frame.clearTask();
        frame.status = Frame.Status.READY;
    }

    /** Stops the frame's task (its branch was aborted). */
    void abort(Frame frame) {
        if (frame.taskId != null && engine.run.tasks.remove(frame.taskId) != null) {
            engine.effects.add(new Effect.CancelTask(frame.taskId));
        }
        engine.cancelTimer(frame.timeoutTimer);
        engine.cancelTimer(frame.heartbeatTimer);
        frame.clearTask();
    }

    private static String lower(String type) {
        return Character.toLowerCase(type.charAt(0)) + type.substring(1);
    }
}

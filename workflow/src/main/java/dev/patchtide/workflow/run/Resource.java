package dev.patchtide.workflow.run;

/**
 * A Task's {@code Resource} taken apart: how the history names it and how the task ends. Service integrations
 * ({@code arn:aws:states:::lambda:invoke.waitForTaskToken}) record {@code TaskScheduled} with resource type
 * {@code lambda} and resource {@code invoke.waitForTaskToken}; activities and plain Lambda function ARNs have
 * event types of their own.
 */
record Resource(Kind kind, String arn, Effect.Pattern pattern, String resourceType, String resource) {
    enum Kind {
        SERVICE,
        ACTIVITY,
        LAMBDA
    }

    static Resource of(String written) {
        String[] parts = written.split(":", 6);
        if (parts.length >= 6 && parts[2].equals("states") && parts[5].startsWith("activity:")) {
            return new Resource(Kind.ACTIVITY, written, Effect.Pattern.ACTIVITY, "activity", written);
        }
        if (parts.length >= 6 && parts[2].equals("lambda") && parts[5].startsWith("function:")) {
            return new Resource(Kind.LAMBDA, written, Effect.Pattern.REQUEST_RESPONSE, "lambda", written);
        }
        Effect.Pattern pattern = Effect.Pattern.REQUEST_RESPONSE;
        String arn = written;
        if (written.endsWith(".sync:2")) {
            pattern = Effect.Pattern.RUN_JOB_V2;
            arn = written.substring(0, written.length() - ".sync:2".length());
        } else if (written.endsWith(".sync")) {
            pattern = Effect.Pattern.RUN_JOB;
            arn = written.substring(0, written.length() - ".sync".length());
        } else if (written.endsWith(".waitForTaskToken")) {
            pattern = Effect.Pattern.WAIT_FOR_TASK_TOKEN;
            arn = written.substring(0, written.length() - ".waitForTaskToken".length());
        }
        // arn:aws:states:::service:action → type "service", resource "action" with its suffix
        String rest = parts.length >= 6 ? parts[5] : written;
        if (parts.length >= 6 && parts[2].equals("states") && parts[3].isEmpty() && parts[4].isEmpty()) {
            rest = parts[5];
        }
        int colon = rest.lastIndexOf(':');
        String type = colon < 0 ? rest : rest.substring(0, colon);
        String name = colon < 0 ? rest : rest.substring(colon + 1);
        return new Resource(Kind.SERVICE, arn, pattern, type, name);
    }

    boolean needsToken() {
        return pattern == Effect.Pattern.WAIT_FOR_TASK_TOKEN || pattern == Effect.Pattern.ACTIVITY;
    }
}

package dev.patchtide.server.api;

import dev.patchtide.server.auth.Principal;

/** Applies an action's {@link Access} rule to the caller; the one place where permissions are decided. */
public final class Authorizer {
    private final String region;
    private final String accountId;

    public Authorizer(String region, String accountId) {
        this.region = region;
        this.accountId = accountId;
    }

    <Q extends ApiRequest> void authorize(Action<Q> action, Q request, Principal caller) {
        boolean allowed =
                switch (action.access()) {
                    case Access.Anonymous<Q> anyone -> true;
                    case Access.AdminOnly<Q> admins -> caller instanceof Principal.Admin;
                    case Access.AdminOrOwnInstance<Q> own ->
                        switch (caller) {
                            case Principal.Admin admin -> true;
                            case Principal.Instance instance ->
                                instance.instanceId().equals(own.instanceIdOf().apply(request));
                            case Principal.Anonymous anonymous -> false;
                        };
                };
        if (!allowed) {
            throw ApiException.accessDenied("User: " + describe(caller) + " is not authorized to perform: "
                    + permission(action.target()) + resource(action, request));
        }
    }

    private String describe(Principal caller) {
        return switch (caller) {
            case Principal.Admin admin -> "arn:aws:iam::" + accountId + ":user/" + admin.accessKeyId();
            case Principal.Instance instance -> instanceArn(instance.instanceId());
            case Principal.Anonymous anonymous -> "anonymous";
        };
    }

    private <Q extends ApiRequest> String resource(Action<Q> action, Q request) {
        if (action.access() instanceof Access.AdminOrOwnInstance<Q> own) {
            String target = own.instanceIdOf().apply(request);
            return target == null ? "" : " on resource: " + instanceArn(target);
        }
        return "";
    }

    private String instanceArn(String instanceId) {
        return "arn:aws:ssm:" + region + ":" + accountId + ":managed-instance/" + instanceId;
    }

    /** {@code AmazonSSM.DescribeActivations} → {@code ssm:DescribeActivations}, as IAM names it. */
    private static String permission(String target) {
        int dot = target.indexOf('.');
        String service = target.substring(0, dot);
        String prefix =
                switch (service) {
                    case "AmazonSSM" -> "ssm";
                    case "AWSEvents" -> "events";
                    case "AWSStepFunctions" -> "states";
                    default -> service.toLowerCase(java.util.Locale.ROOT);
                };
        return prefix + ":" + target.substring(dot + 1);
    }
}

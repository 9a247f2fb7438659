package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import java.util.Optional;

/**
 * ARNs of Step Functions resources in this server's region and account, and AWS's rules for the names in them.
 * A machine's ARN may carry a version ({@code stateMachine:<name>:<n>}), as StartExecution and
 * DescribeStateMachine accept.
 */
record SfnArns(String region, String account) {
    private String prefix() {
        return "arn:aws:states:" + region + ":" + account + ":";
    }

    String machine(String name) {
        return prefix() + "stateMachine:" + name;
    }

    String version(String machineArn, int version) {
        return machineArn + ":" + version;
    }

    String execution(String machineName, String name) {
        return prefix() + "execution:" + machineName + ":" + name;
    }

    String expressExecution(String machineName, String name, String id) {
        return prefix() + "express:" + machineName + ":" + name + ":" + id;
    }

    String activity(String name) {
        return prefix() + "activity:" + name;
    }

    /** A machine ARN as named by a request: the machine's own ARN and the version, if the ARN names one. */
    record MachineRef(String machineArn, Optional<Integer> version) {}

    MachineRef machineRef(String arn) {
        String p = prefix() + "stateMachine:";
        if (arn == null || !arn.startsWith(p) || arn.length() == p.length()) {
            throw invalidArn(arn);
        }
        String rest = arn.substring(p.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return new MachineRef(arn, Optional.empty());
        }
        String qualifier = rest.substring(colon + 1);
        if (!qualifier.matches("[1-9][0-9]{0,8}")) {
            throw invalidArn(arn);
        }
        return new MachineRef(p + rest.substring(0, colon), Optional.of(Integer.parseInt(qualifier)));
    }

    /** The machine name an execution ARN of this account carries (standard or express). */
    String requireExecution(String arn) {
        if (arn == null || !(arn.startsWith(prefix() + "execution:") || arn.startsWith(prefix() + "express:"))) {
            throw invalidArn(arn);
        }
        return arn;
    }

    String requireActivity(String arn) {
        if (arn == null
                || !arn.startsWith(prefix() + "activity:")
                || arn.length() == (prefix() + "activity:").length()) {
            throw invalidArn(arn);
        }
        return arn;
    }

    boolean isActivity(String arn) {
        return arn.startsWith(prefix() + "activity:");
    }

    boolean isMachine(String arn) {
        return arn.startsWith(prefix() + "stateMachine:");
    }

    static ApiException invalidArn(String arn) {
        return new ApiException.Invalid("InvalidArn", "Invalid Arn: '" + Validation.clip(arn) + "'");
    }

    /**
     * AWS's rule for machine, execution and activity names: 1 to 80 characters, none of them white space,
     * brackets, wildcards, {@code " # % \ ^ | ~ ` $ & , ; : /} or control characters.
     */
    static void requireName(String name) {
        if (!validName(name)) {
            throw new ApiException.Invalid("InvalidName", "Invalid Name: '" + Validation.clip(name) + "'");
        }
    }

    static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 80) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c)
                    || c <= 0x1f
                    || (c >= 0x7f && c <= 0x9f)
                    || "<>{}[]?*\"#%\\^|~`$&,;:/".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}

package dev.patchtide.server.auth;

/**
 * The service name a Signature V4 credential scope must carry for each API, as AWS checks it: a request for
 * Systems Manager signed for {@code s3} is refused there, so it is here.
 */
public final class SigningNames {
    public static final String SSM = "ssm";
    public static final String EVENTS = "events";
    public static final String STATES = "states";
    public static final String SNS = "sns";

    private SigningNames() {}

    /**
     * The signing name for an {@code X-Amz-Target}. {@code Patchtide.*} actions are signed as {@code ssm}: that is
     * what the agent's and the CLI's client (agent {@code ApiClient}) sign them with, Patchtide being SSM's twin.
     */
    public static String forTarget(String target) {
        if (target.startsWith("AWSEvents.")) {
            return EVENTS;
        }
        if (target.startsWith("AWSStepFunctions.")) {
            return STATES;
        }
        if (target.startsWith("AmazonSSM.") || target.startsWith("Patchtide.")) {
            return SSM;
        }
        throw new IllegalArgumentException("no signing name for target " + target);
    }
}

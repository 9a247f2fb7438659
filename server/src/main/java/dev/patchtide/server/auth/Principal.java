package dev.patchtide.server.auth;

/** Who signed a request. */
public sealed interface Principal {
    String accessKeyId();

    /** An operator's key: may call every action. */
    record Admin(String accessKeyId) implements Principal {}

    /** A managed instance's own key, issued at registration: may act only on that instance. */
    record Instance(String accessKeyId, String instanceId) implements Principal {}

    /** An unsigned request, allowed only for actions that carry their own proof (an activation code). */
    record Anonymous() implements Principal {
        @Override
        public String accessKeyId() {
            return "";
        }
    }
}

package dev.patchtide.server.notify;

import dev.patchtide.server.api.ApiException;

/** SNS's error codes and wording ({@code InvalidParameter}, {@code NotFound}), as botocore's sns model names them. */
final class SnsErrors {
    private SnsErrors() {}

    /** {@code Invalid parameter: <what>}: what names the member (and the reason after a colon). */
    static ApiException invalidParameter(String what) {
        return new ApiException.Invalid("InvalidParameter", "Invalid parameter: " + what);
    }

    static ApiException topicNotFound() {
        return new ApiException.NotFound("NotFound", "Topic does not exist");
    }

    static ApiException subscriptionNotFound() {
        return new ApiException.NotFound("NotFound", "Subscription does not exist");
    }
}

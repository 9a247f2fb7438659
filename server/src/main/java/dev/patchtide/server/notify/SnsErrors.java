package dev.patchtide.server.notify;

import dev.patchtide.server.api.ApiException;

/** SNS's error codes and wording ({@code InvalidParameter}, {@code NotFound}), as botocore's sns model names them. */
final class SnsErrors {
    private SnsErrors() {}

    /** {@code Invalid parameter: <what>}: what names the member (and the reason after a colon). */
    static ApiException invalidParameter(String what) {
        return new ApiException("InvalidParameter", "Invalid parameter: " + what, 400);
    }

    static ApiException topicNotFound() {
        return new ApiException("NotFound", "Topic does not exist", 404);
    }

    static ApiException subscriptionNotFound() {
        return new ApiException("NotFound", "Subscription does not exist", 404);
    }
}

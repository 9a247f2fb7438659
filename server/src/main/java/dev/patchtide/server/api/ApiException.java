package dev.patchtide.server.api;

/**
 * An error that reaches the client in AWS's JSON error shape: {@code {"__type": code, "message": …}}.
 * The code is the AWS error name a client branches on (for example {@code InvalidInstanceId}), so it is
 * part of the API contract; the message is for people.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;

    public ApiException(String code, String message) {
        this(code, message, 400);
    }

    public ApiException(String code, String message, int httpStatus) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public static ApiException validation(String message) {
        return new ApiException("ValidationException", message);
    }

    public static ApiException accessDenied(String message) {
        return new ApiException("AccessDeniedException", message);
    }
}

package dev.patchtide.server.api;

/** The one place where the kind of an {@link ApiException} becomes an HTTP status, per wire protocol. */
public final class ErrorWire {
    private ErrorWire() {}

    /** AWS's JSON protocols answer client errors with 400, whatever their kind, as botocore's models say. */
    public static int jsonStatus(ApiException e) {
        return switch (e) {
            case ApiException.Invalid invalid -> "UnsupportedMediaType".equals(invalid.code()) ? 415 : 400;
            case ApiException.NotFound ignored -> 400;
            case ApiException.Conflict ignored -> 400;
            case ApiException.LimitExceeded ignored -> 400;
            case ApiException.TooLarge ignored -> 413;
            case ApiException.Unauthenticated u ->
                "UnrecognizedClientException".equals(u.code()) || "InvalidSignatureException".equals(u.code())
                        ? 400
                        : 403;
            case ApiException.AccessDenied ignored -> 400;
            case ApiException.Transient t -> "ThrottlingException".equals(t.code()) ? 503 : 500;
        };
    }

    /** AWS's query protocol (SNS) uses the status its model gives each error: 404 for not found, 403 for access. */
    public static int queryStatus(ApiException e) {
        return switch (e) {
            case ApiException.Invalid ignored -> 400;
            case ApiException.NotFound ignored -> 404;
            case ApiException.Conflict ignored -> 400;
            case ApiException.LimitExceeded ignored -> 403;
            case ApiException.TooLarge ignored -> 413;
            case ApiException.Unauthenticated ignored -> 403;
            case ApiException.AccessDenied ignored -> 403;
            case ApiException.Transient ignored -> 500;
        };
    }

    /** Pages and their JSON helpers speak plain HTTP: 404 means not found there. */
    public static int pageStatus(ApiException e) {
        return switch (e) {
            case ApiException.NotFound ignored -> 404;
            case ApiException.Unauthenticated ignored -> 401;
            case ApiException.AccessDenied ignored -> 403;
            default -> jsonStatus(e);
        };
    }
}

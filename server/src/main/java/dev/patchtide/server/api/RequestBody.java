package dev.patchtide.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Reads a request body with a ceiling that holds while reading, for {@code Content-Length} and chunked bodies
 * alike: nothing past the ceiling is read or buffered, and nothing (signature, JSON) looks at a body before it
 * has passed. Javalin's own {@code maxRequestSize} only compares the declared length, so a chunked body would
 * be read whole by {@code ctx.bodyAsBytes()}.
 */
public final class RequestBody {
    /**
     * The one limit on API request bodies. Most AWS actions carry a few kilobytes; the largest body we expect is
     * the agent's {@code Patchtide.PutPatchScanReport} with the host's whole package inventory (about 110 KB for
     * 1,500 packages), so 16 MiB leaves a big host two orders of magnitude of room while one request can never
     * hold more than that.
     */
    public static final int API_LIMIT = 16 * 1024 * 1024;

    /**
     * AWS defines no size error for SSM, EventBridge or Step Functions (their front door refuses large bodies
     * before the service sees them); Lambda's {@code RequestTooLargeException} is the AWS JSON-protocol error
     * botocore models with HTTP 413, so SDKs recognise the name.
     */
    public static final String TOO_LARGE = "RequestTooLargeException";

    /** Bodies declared this long or shorter (heartbeats, polls, most calls) are read into an exact array. */
    static final int EXACT_UP_TO = 64 * 1024;

    private RequestBody() {}

    /** The body, at most {@code limit} bytes, or {@link ApiException.TooLarge} as soon as it is known to be more. */
    public static byte[] read(Context ctx, int limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try {
            InputStream in = ctx.req().getInputStream();
            if (declared >= 0 && declared <= EXACT_UP_TO) {
                // A small body of known length: read into an array of that size. Asked for up to the limit,
                // readNBytes would fill a 16 KB chunk and copy it out again, for every request. Only small ones:
                // a declared length is a claim, and memory for a large body is taken as its bytes arrive.
                byte[] body = new byte[(int) declared];
                int read = in.readNBytes(body, 0, body.length);
                return read == body.length ? body : Arrays.copyOf(body, read);
            }
            // Chunked: readNBytes grows its buffer as data arrives, so a small body costs little whatever the limit.
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        } catch (IOException | BadMessageException e) {
            throw new ApiException.Invalid("SerializationException", "The request body could not be read.");
        }
    }

    /**
     * Sends the answer to a body that was not read to its end now, and closes the connection after it. Left to
     * the end of the request, Jetty would first drain the rest of the body to keep the connection open (reading
     * on for as long as a fast client sends); once the answer is out with {@code Connection: close}, it stops.
     */
    public static void answerUnread(Context ctx, int status, String contentType, byte[] answer) {
        try {
            ctx.status(status);
            ctx.res().setContentType(contentType);
            ctx.res().setHeader("Connection", "close");
            ctx.res().setContentLength(answer.length);
            ctx.res().getOutputStream().write(answer);
            ctx.res().flushBuffer();
        } catch (IOException clientGone) {
            // The client hung up: nobody to answer.
        }
    }

    private static ApiException.TooLarge tooLarge(int limit) {
        return new ApiException.TooLarge(
                TOO_LARGE, "The request body exceeds the maximum allowed size of " + limit + " bytes.");
    }
}

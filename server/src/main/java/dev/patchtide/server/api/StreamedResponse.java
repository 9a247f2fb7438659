package dev.patchtide.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A handler's answer that writes its own body while the request is held (a stream of lines), rather than one object
 * {@link ApiRouter} writes as JSON. The router sends the status and content type, hands over the output stream and
 * keeps the connection from being cut as idle for {@link #longest()}. What {@link #writeTo} throws before its first
 * flush is answered as any error; after it, the body just ends.
 */
public interface StreamedResponse {
    String contentType();

    /** The longest the body may stay open, quiet between writes: the connection's idle timeout for it. */
    Duration longest();

    /** Writes the body, flushing each part that must reach the client now; an IOException means it left. */
    void writeTo(OutputStream out) throws IOException;
}

package dev.patchtide.server.api;

import dev.patchtide.server.auth.Principal;

/**
 * One API action: its {@code X-Amz-Target} (for example {@code AmazonSSM.CreateActivation}), the record
 * its JSON body binds to, who may call it, and what it does. The handler returns the response object,
 * which is written as JSON.
 */
public record Action<Q extends ApiRequest>(String target, Class<Q> requestType, Access<Q> access, Handler<Q> handler) {

    @FunctionalInterface
    public interface Handler<Q> {
        Object handle(Q request, Principal caller);
    }
}

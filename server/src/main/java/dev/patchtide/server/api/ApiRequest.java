package dev.patchtide.server.api;

/** A request record of one action. The router validates it before the handler sees it. */
public interface ApiRequest {
    void validate(Validation validation);
}

package dev.patchtide.server.fleet;

import org.jdbi.v3.core.Handle;

/**
 * Told about a deregistration inside its transaction, so a feature can drop what belongs to the
 * instance atomically with it (or make the whole deregistration fail).
 */
@FunctionalInterface
public interface DeregistrationListener {
    void deregistered(Handle handle, String instanceId);
}

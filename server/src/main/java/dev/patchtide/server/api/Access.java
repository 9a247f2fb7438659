package dev.patchtide.server.api;

import java.util.function.Function;

/** Who may call an action. Checked by the router after authentication, before the handler runs. */
public sealed interface Access<Q> {

    /** Operators only. */
    record AdminOnly<Q>() implements Access<Q> {}

    /** Operators, or the instance the request names (read with {@code instanceIdOf}). */
    record AdminOrOwnInstance<Q>(Function<Q, String> instanceIdOf) implements Access<Q> {}

    /** Anyone, signed or not: the request carries its own proof. */
    record Anonymous<Q>() implements Access<Q> {}

    static <Q> Access<Q> adminOnly() {
        return new AdminOnly<>();
    }

    static <Q> Access<Q> adminOrOwnInstance(Function<Q, String> instanceIdOf) {
        return new AdminOrOwnInstance<>(instanceIdOf);
    }

    static <Q> Access<Q> anonymous() {
        return new Anonymous<>();
    }
}

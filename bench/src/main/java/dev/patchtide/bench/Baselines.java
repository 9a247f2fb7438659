package dev.patchtide.bench;

import dev.patchtide.core.patching.BaselineSpec;
import java.util.List;
import java.util.Optional;

/** Baselines the benchmarks judge with. */
public final class Baselines {
    private Baselines() {}

    /** As the predefined Debian/Ubuntu default: every priority, at once (security updates only). */
    public static final BaselineSpec PREDEFINED_DEBIAN = new BaselineSpec(
            "pb-debian",
            List.of(new BaselineSpec.Filter("PRODUCT", List.of("*"))),
            List.of(new BaselineSpec.Rule(
                    List.of(new BaselineSpec.Filter(
                            "PRIORITY", List.of("Required", "Important", "Standard", "Optional", "Extra"))),
                    "UNSPECIFIED",
                    Optional.of(0),
                    Optional.empty(),
                    false)),
            List.of(),
            "UNSPECIFIED",
            false,
            List.of(),
            BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY);
}

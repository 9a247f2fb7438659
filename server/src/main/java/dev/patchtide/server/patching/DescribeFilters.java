package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.patching.BaselineMessages.PatchOrchestratorFilter;
import java.util.ArrayList;
import java.util.List;

/** The PatchOrchestratorFilters of DescribePatchBaselines and DescribePatchGroups. */
record DescribeFilters(String namePrefix, String owner, List<String> systems) {

    static DescribeFilters of(List<PatchOrchestratorFilter> filters, List<String> allowedKeys) {
        String prefix = null;
        String owner = null;
        List<String> systems = new ArrayList<>();
        FilterKeys keys = new FilterKeys("ValidationException");
        for (PatchOrchestratorFilter f : filters == null ? List.<PatchOrchestratorFilter>of() : filters) {
            if (f.key() == null || !allowedKeys.contains(f.key())) {
                throw ApiException.validation("Filter key " + f.key() + " isn't valid here; use one of " + allowedKeys);
            }
            keys.once(f.key());
            List<String> values = f.values() == null ? List.of() : f.values();
            switch (f.key()) {
                case "NAME_PREFIX" -> prefix = single(f.key(), values);
                case "OWNER" -> {
                    owner = single(f.key(), values);
                    if (!List.of("AWS", "Self", "All").contains(owner)) {
                        throw ApiException.validation("OWNER must be AWS, Self or All, not " + owner);
                    }
                    owner = owner.equals("All") ? null : owner;
                }
                default -> systems.addAll(values);
            }
        }
        return new DescribeFilters(prefix, owner, List.copyOf(systems));
    }

    private static String single(String key, List<String> values) {
        if (values.size() != 1) {
            throw ApiException.validation("Filter " + key + " takes exactly one value, got " + values.size());
        }
        return values.getFirst();
    }
}

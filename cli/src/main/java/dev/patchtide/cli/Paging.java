package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The first items of a paged listing (newest first, for the listings used here), without reading the rest. */
final class Paging {
    private Paging() {}

    /**
     * Up to {@code limit} items of {@code listMember}, asking for pages of at most {@code pageMax} (the action's
     * MaxResults bound) and following NextToken only while more are wanted.
     */
    static List<JsonNode> first(
            ApiClient client, String target, ObjectNode request, String listMember, int pageMax, int limit)
            throws IOException, ApiCallException {
        List<JsonNode> items = new ArrayList<>();
        ObjectNode paged = request.deepCopy();
        while (items.size() < limit) {
            paged.put("MaxResults", pageMax);
            JsonNode page = client.call(target, paged);
            for (JsonNode item : page.path(listMember)) {
                if (items.size() < limit) {
                    items.add(item);
                }
            }
            if (!page.path("NextToken").isTextual()) {
                break;
            }
            paged.put("NextToken", page.path("NextToken").asText());
        }
        return items;
    }
}

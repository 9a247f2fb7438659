package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.List;

/** Request and response shapes of the tagging actions, as in SSM's service model. */
final class TagMessages {
    private TagMessages() {}

    record AddTagsToResourceRequest(String resourceType, String resourceId, List<Tag> tags) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceType", resourceType)
                    .required("resourceId", resourceId)
                    .required("tags", tags)
                    .size("tags", tags, 0, 1000);
            Tag.validate(tags, "tags", v);
        }
    }

    record RemoveTagsFromResourceRequest(String resourceType, String resourceId, List<String> tagKeys)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceType", resourceType)
                    .required("resourceId", resourceId)
                    .required("tagKeys", tagKeys);
            if (tagKeys != null) {
                for (int i = 0; i < tagKeys.size(); i++) {
                    String at = "tagKeys." + (i + 1) + ".member";
                    v.required(at, tagKeys.get(i))
                            .length(at, tagKeys.get(i), 1, 128)
                            .pattern(at, tagKeys.get(i), Tag.TEXT);
                    Tag.checkNotReserved(at, tagKeys.get(i), v);
                }
            }
        }
    }

    record ListTagsForResourceRequest(String resourceType, String resourceId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceType", resourceType).required("resourceId", resourceId);
        }
    }

    record ListTagsForResourceResult(List<Tag> tagList) {}
}

package dev.patchtide.server.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Opaque {@code NextToken}s: the sort key of the last item of a page, tagged with the listing it belongs
 * to, so a token from one listing is refused by another.
 */
public final class PageToken {
    private PageToken() {}

    public static String encode(String listing, String lastKey) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((listing + "\n" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The last key of the previous page, or empty for the first page. */
    public static Optional<String> decode(String listing, String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int newline = decoded.indexOf('\n');
            if (newline > 0 && decoded.substring(0, newline).equals(listing)) {
                return Optional.of(decoded.substring(newline + 1));
            }
        } catch (IllegalArgumentException notBase64) {
            // reported below like any other foreign token
        }
        throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
    }
}

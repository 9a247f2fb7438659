package dev.patchtide.server.connections;

import java.util.Arrays;
import java.util.List;

/**
 * How a connection authorizes its calls. The first three are EventBridge's; {@code NONE} is Patchtide's
 * own, for endpoints that need no credentials (EventBridge has no such type: there one fakes it with a
 * dummy API key). AWS clients do not check enum values, so the AWS CLI and SDKs can send it.
 */
enum AuthType {
    BASIC,
    API_KEY,
    OAUTH_CLIENT_CREDENTIALS,
    NONE;

    static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

package dev.patchtide.server.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.secrets.SecretBox;

/** Seals a connection's whole auth parameters under the server key, bound to the connection's ARN. */
final class ConnectionSecrets {
    private final SecretBox box;
    private final ObjectMapper json;

    ConnectionSecrets(SecretBox box, ObjectMapper json) {
        this.box = box;
        this.json = json;
    }

    String keyId() {
        return box.keyId();
    }

    String seal(AuthParameters auth, String arn) {
        try {
            return box.seal(json.writeValueAsString(auth), arn);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** @throws SecretBox.WrongKeyException when the server runs with another key than the one that sealed it */
    AuthParameters open(Connection connection) {
        String text = box.open(connection.sealed(), connection.arn());
        try {
            return json.readValue(text, AuthParameters.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable sealed auth parameters of " + connection.arn(), e);
        }
    }

    String mismatch(String storedKeyId) {
        return box.mismatch(storedKeyId);
    }
}

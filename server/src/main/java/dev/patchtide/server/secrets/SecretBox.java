package dev.patchtide.server.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest with AES-256-GCM under the {@link ServerKey}. A sealed value reads
 * {@code v1:<key id>:<base64 of nonce + ciphertext + tag>}; the caller's {@code context} (for example the
 * ARN of the connection it belongs to) is authenticated too, so a ciphertext copied onto another row does
 * not open.
 */
public final class SecretBox {
    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final ServerKey key;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(ServerKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.id();
    }

    public String seal(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out =
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
            return VERSION + ":" + key.id() + ":" + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** @throws WrongKeyException when the value was sealed under another key, or altered */
    public String open(String sealed, String context) {
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new WrongKeyException("a stored secret is not in a format this server reads");
        }
        if (!parts[1].equals(key.id())) {
            throw new WrongKeyException(mismatch(parts[1]));
        }
        byte[] data = Base64.getDecoder().decode(parts[2]);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(data, NONCE_BYTES), context);
            byte[] plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("a stored secret failed its integrity check: it was altered or moved");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * An HMAC-SHA256 of {@code message} under the server key, scoped to {@code purpose} (so a value signed for one
     * purpose is no proof for another), base64url without padding: for signed links such as output URLs.
     */
    public String mac(String purpose, String message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
            mac.update((purpose + "\n").getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The message for secrets sealed under the key with id {@code storedKeyId}, when this server has another. */
    public String mismatch(String storedKeyId) {
        return "stored secrets were encrypted with server key " + storedKeyId + " but this server runs with key "
                + key.id() + ": start it with the original secret-key-file (--secret-key-file,"
                + " PATCHTIDE_SECRET_KEY_FILE)";
    }

    private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    /** A secret cannot be opened with this server's key. */
    public static final class WrongKeyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        WrongKeyException(String message) {
            super(message);
        }
    }
}

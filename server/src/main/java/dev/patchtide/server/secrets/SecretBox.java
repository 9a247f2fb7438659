package dev.patchtide.server.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Ciphers kept for reuse at most: about the number of threads that seal or open at once. */
    private static final int KEPT_CIPHERS = 32;

    private final ServerKey key;
    private final SecretKeySpec aesKey;
    private final SecureRandom random = new SecureRandom();
    // Getting a Cipher (provider look-up) and expanding the key again for every secret was most of seal's cost in
    // registration's profile; a used Cipher is initialised again with a fresh nonce, which is all GCM needs. Not a
    // ThreadLocal: requests run on virtual threads, a new one each, so a per-thread Cipher would never be reused.
    private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    public SecretBox(ServerKey key) {
        this.key = key;
        this.aesKey = new SecretKeySpec(key.bytes(), "AES");
    }

    public String keyId() {
        return key.id();
    }

    public String seal(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher cipher = borrow();
        try {
            init(cipher, Cipher.ENCRYPT_MODE, nonce, context);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out =
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
            giveBack(cipher);
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
        Cipher cipher = borrow();
        try {
            init(cipher, Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(data, NONCE_BYTES), context);
            byte[] plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
            giveBack(cipher);
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

    /** A kept Cipher or a new one; one that failed is never given back (its state is unknown). */
    private Cipher borrow() {
        Cipher cipher = ciphers.poll();
        if (cipher != null) {
            kept.decrementAndGet();
            return cipher;
        }
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private void giveBack(Cipher cipher) {
        if (kept.incrementAndGet() <= KEPT_CIPHERS) {
            ciphers.offer(cipher);
        } else {
            kept.decrementAndGet();
        }
    }

    private void init(Cipher cipher, int mode, byte[] nonce, String context) throws GeneralSecurityException {
        cipher.init(mode, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    }

    /** A secret cannot be opened with this server's key. */
    public static final class WrongKeyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        WrongKeyException(String message) {
            super(message);
        }
    }
}

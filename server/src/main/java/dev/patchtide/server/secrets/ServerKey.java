package dev.patchtide.server.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The server's 256-bit key that encrypts secrets at rest (connection passwords, API keys, OAuth client
 * secrets). Kept in a file holding the key in base64; its {@link #id()} (a hash prefix, not the key) is
 * stored next to every ciphertext so a server started with another key says so instead of failing
 * obscurely.
 */
public final class ServerKey {
    static final int BYTES = 32;

    private final byte[] key;
    private final String id;

    private ServerKey(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a server key has " + BYTES + " bytes, got " + key.length);
        }
        this.key = key.clone();
        this.id = idOf(key);
    }

    /** A key that lives as long as this process: for tests, never for data that must survive a restart. */
    public static ServerKey ephemeral() {
        byte[] bytes = new byte[BYTES];
        new SecureRandom().nextBytes(bytes);
        return new ServerKey(bytes);
    }

    /**
     * One key for the life of this process, shared by every server it starts (tests run several nodes on
     * one database, and each must open what the others sealed); never for data that must survive a restart.
     */
    public static ServerKey ofThisProcess() {
        return ProcessKey.KEY;
    }

    private static final class ProcessKey {
        static final ServerKey KEY = ephemeral();
    }

    public static ServerKey of(byte[] bytes) {
        return new ServerKey(bytes);
    }

    /** Reads a key file; a mistake names the setting and the file. */
    public static ServerKey read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("secret-key-file " + file + " does not exist");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != BYTES) {
            throw new IOException("secret-key-file " + file + " must hold a base64-encoded 256-bit key (as "
                    + "`head -c 32 /dev/urandom | base64` makes)");
        }
        return new ServerKey(bytes);
    }

    /** Reads the key file, or creates it with a fresh random key, readable by this user only (0600). */
    public static ServerKey readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] bytes = new byte[BYTES];
            new SecureRandom().nextBytes(bytes);
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(bytes) + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException raced) {
                // Another process created it first: use theirs.
            }
        }
        return read(file);
    }

    /** A short, non-secret fingerprint of the key. */
    public String id() {
        return id;
    }

    byte[] bytes() {
        return key.clone();
    }

    private static String idOf(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 6));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        return "ServerKey[" + id + "]";
    }
}

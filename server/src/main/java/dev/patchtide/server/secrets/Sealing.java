package dev.patchtide.server.secrets;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.config.JdbiConfig;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link SecretBox} that stores sealing secrets reach through their JDBI handle: stores whose methods
 * run in the caller's handle (and transaction) find it there instead of every caller passing it along.
 * The server installs it once, when it is wired.
 */
public final class Sealing implements JdbiConfig<Sealing> {
    private SecretBox box;

    public Sealing() {}

    private Sealing(Sealing other) {
        this.box = other.box;
    }

    /** Makes {@code box} the one every handle opened from {@code jdbi} from now on seals with. */
    public static void install(Jdbi jdbi, SecretBox box) {
        jdbi.getConfig(Sealing.class).box = box;
    }

    public static SecretBox box(Handle handle) {
        return handle.getConfig(Sealing.class).require();
    }

    public static SecretBox box(StatementContext context) {
        return context.getConfig(Sealing.class).require();
    }

    /**
     * Refuses to go on when a secret in {@code column} of {@code table} (among the rows {@code rows} selects)
     * was sealed under another server key than {@code box}'s, naming the setting: a server never starts unable
     * to open what it stored. {@code what} names the kind of secret in the message.
     */
    public static void refuseOtherKeys(Handle h, SecretBox box, String what, String table, String column, String rows) {
        // Sealed text is v1:<key id>:<sealed bytes> (SecretBox): the key id is its second field.
        String keyId = "split_part(" + column + ", ':', 2)";
        h.createQuery("SELECT " + keyId + " FROM " + table + " WHERE " + column + " IS NOT NULL AND " + keyId
                        + " <> :key AND (" + rows + ") LIMIT 1")
                .bind("key", box.keyId())
                .mapTo(String.class)
                .findOne()
                .ifPresent(other -> {
                    throw new IllegalStateException(what + " " + box.mismatch(other));
                });
    }

    private SecretBox require() {
        if (box == null) {
            throw new IllegalStateException("no server key installed on this database (Sealing.install)");
        }
        return box;
    }

    @Override
    public Sealing createCopy() {
        return new Sealing(this);
    }
}

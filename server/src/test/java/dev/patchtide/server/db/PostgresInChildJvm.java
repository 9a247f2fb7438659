package dev.patchtide.server.db;

import java.nio.file.Path;

/**
 * A JVM that starts an embedded PostgreSQL on the folder it is given, prints {@code <port> <pid>} and
 * waits until its standard input closes (so it never outlives the test that started it).
 */
public final class PostgresInChildJvm {
    private PostgresInChildJvm() {}

    public static void main(String[] args) throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.start(Path.of(args[0]));
        System.out.println(pg.port() + " " + pg.pid());
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing to do but wait
        }
    }
}

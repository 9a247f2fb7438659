package dev.patchtide.bench.fleet;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.secrets.ServerKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A server alone in its JVM over a database it is given (so a test can kill it with SIGKILL while the
 * database lives on, and a bench can read its CPU and memory apart from the simulator's). Wired as {@code
 * patchtide up} wires it. Arguments: {@code <jdbc-url> <user> <password> <port> <secret-key-file> <pool>
 * [admin]}. Prints {@code listening <port>} (and {@code admin <key-id> <secret>} when asked), then answers
 * {@code heap} on its standard input with {@code heap <used-after-gc> <committed>} in bytes; stops when its
 * standard input closes, so it never outlives the process that started it.
 */
public final class ServerProcess {
    private ServerProcess() {}

    public static void main(String[] args) throws Exception {
        DatabaseSettings settings = new DatabaseSettings(args[0], args[1], args[2], Integer.parseInt(args[5]));
        ServerConfig config = new ServerConfig(
                        "127.0.0.1",
                        Integer.parseInt(args[3]),
                        ServerConfig.DEFAULT_REGION,
                        ServerConfig.DEFAULT_ACCOUNT,
                        PingStatusPolicy.defaults())
                .withSecretKey(ServerKey.readOrCreate(Path.of(args[4])));
        try (Database db = Database.connect(settings);
                PatchtideServer server = PatchtideServer.start(config, db, Clock.systemUTC())) {
            System.out.println("listening " + server.port());
            if (args.length > 6 && args[6].equals("admin")) {
                AccessKeyStore.IssuedKey key = server.accessKeys()
                        .createAdminKey("bench", Clock.systemUTC().instant());
                System.out.println("admin " + key.accessKeyId() + " " + key.secretAccessKey());
            }
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("heap")) {
                    System.gc();
                    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    System.out.println("heap " + heap.getUsed() + " " + heap.getCommitted());
                    System.out.flush();
                }
            }
        }
    }
}

package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The web dashboard: a fresh one-time sign-in link, for when the one {@code up} printed has expired. */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        description = "The web dashboard's sign-in.",
        subcommands = {DashboardCommand.Link.class})
final class DashboardCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The link for the server's address as the admin profile reaches it. */
    static String loginLink(ApiClient client) throws Exception {
        JsonNode answer = client.call("Patchtide.CreateDashboardLoginLink", Map.of());
        String base = client.endpoint().toString().replaceAll("/+$", "");
        return base + answer.path("LoginPath").asText();
    }

    @Command(
            name = "link",
            mixinStandardHelpOptions = true,
            description = "Print a one-time sign-in link (valid 5 minutes) for the admin key of the data folder's"
                    + " profile.")
    static final class Link implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            spec.commandLine().getOut().println(loginLink(admin.client()));
            spec.commandLine().getOut().flush();
            spec.commandLine()
                    .getErr()
                    .println("Open it within 5 minutes; it works once, and the session lasts 8 hours.");
            return 0;
        }
    }
}

package dev.patchtide.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows one command invocation with GetCommandInvocation until it ends, printing each status change as it
 * is seen, then prints the outcome (output, errors, exit code). Shared by {@code commands send --wait},
 * {@code commands show} and the host's self-service {@code agent patch}.
 */
public final class InvocationFollower {
    /** AWS's final invocation statuses; Delayed and Cancelling are on the way to one. */
    public static final Set<String> FINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");

    /** AWS cuts StandardOutputContent at this many characters; the full output is behind StandardOutputUrl. */
    public static final int CONTENT_LIMIT = 24_000;

    private static final Duration POLL = Duration.ofMillis(500);

    private final ApiClient client;
    private final PrintWriter out;
    private final Duration pendingNotice;

    public InvocationFollower(ApiClient client, PrintWriter out, Duration pendingNotice) {
        this.client = client;
        this.out = out;
        this.pendingNotice = pendingNotice;
    }

    /**
     * Polls until the invocation reaches a final status and returns its last GetCommandInvocation answer. Says
     * once when it stays Pending past {@code pendingNotice}: only a running agent picks a command up.
     */
    public JsonNode follow(String commandId, String instanceId)
            throws IOException, ApiCallException, InterruptedException {
        Instant start = Instant.now();
        String shown = null;
        boolean noticed = false;
        while (true) {
            Optional<JsonNode> answer = get(commandId, instanceId);
            String status = answer.map(a -> a.path("Status").asText()).orElse("Pending");
            String line = answer.map(InvocationFollower::status).orElse(status);
            if (!line.equals(shown)) {
                out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + "  " + line);
                out.flush();
                shown = line;
            }
            if (answer.isPresent() && FINAL.contains(status)) {
                return answer.get();
            }
            if (!noticed
                    && status.equals("Pending")
                    && Duration.between(start, Instant.now()).compareTo(pendingNotice) >= 0) {
                out.println("Still Pending after " + pendingNotice.toSeconds() + " s: the command runs only once the"
                        + " agent of " + instanceId + " picks it up. Is the agent running ('patchtide up' or"
                        + " 'patchtide agent run')?");
                out.flush();
                noticed = true;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The invocation; empty while the server does not know it yet (AWS answers InvocationDoesNotExist then). */
    private Optional<JsonNode> get(String commandId, String instanceId) throws IOException, ApiCallException {
        try {
            return Optional.of(client.call(
                    "AmazonSSM.GetCommandInvocation", Map.of("CommandId", commandId, "InstanceId", instanceId)));
        } catch (ApiCallException e) {
            if (e.code().equals("InvocationDoesNotExist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Prints an invocation's output and errors, then its exit code. The output is the API's (cut at 24,000
     * characters) unless {@code full}, which reads the whole of it from StandardOutputUrl.
     */
    public void printOutcome(JsonNode invocation, boolean full) throws IOException {
        printStream("Output", invocation, "StandardOutputContent", "StandardOutputUrl", full);
        printStream("Errors", invocation, "StandardErrorContent", "StandardErrorUrl", full);
        out.println(exitLine(invocation));
        out.flush();
    }

    public static String exitLine(JsonNode invocation) {
        String status = invocation.path("Status").asText();
        if (!FINAL.contains(status)) {
            return "Status " + status + ": no exit code yet.";
        }
        JsonNode code = invocation.path("ResponseCode");
        return "Status " + status + ", exit code " + (code.isNumber() ? code.asText() : "-") + ".";
    }

    private void printStream(String title, JsonNode invocation, String content, String url, boolean full)
            throws IOException {
        String text = invocation.path(content).asText("");
        String link = invocation.path(url).asText("");
        boolean cut = text.length() >= CONTENT_LIMIT && !link.isEmpty();
        if (full && cut) {
            text = fetch(link);
        }
        if (text.isEmpty()) {
            return;
        }
        out.println("--- " + title + " ---");
        out.print(text.endsWith("\n") ? text : text + "\n");
        if (cut && !full) {
            out.println("--- (cut at " + CONTENT_LIMIT + " characters; --output prints all of it) ---");
        }
    }

    /** A command's or invocation's status, with its StatusDetails when they say more. */
    public static String status(JsonNode node) {
        String status = node.path("Status").asText();
        String details = node.path("StatusDetails").asText();
        return details.isEmpty() || details.replace(" ", "").equalsIgnoreCase(status)
                ? status
                : status + " (" + details + ")";
    }

    /** A command's Parameters on one line: {@code Name=v1,v2 Other=v}; {@code -} when there are none. */
    public static String parameters(JsonNode parameters) {
        List<String> parts = new ArrayList<>();
        parameters.properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            parts.add(e.getKey() + "=" + String.join(",", values));
        });
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    /** The full output from the server's link (a presigned URL: no signature needed). */
    private static String fetch(String url) throws IOException {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(60))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("the full output could not be read (HTTP " + response.statusCode() + ": "
                        + response.body().strip() + ")");
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the full output", e);
        }
    }
}

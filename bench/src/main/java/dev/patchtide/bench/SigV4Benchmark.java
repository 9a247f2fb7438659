package dev.patchtide.bench;

import dev.patchtide.core.auth.ParsedAuthorization;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SigV4Exception;
import dev.patchtide.core.auth.SignableRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Every API request is verified once: the cost of Signature V4 on a typical agent report. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SigV4Benchmark {
    private static final SigV4Credentials KEY =
            new SigV4Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    private SignableRequest signed;
    private String authorizationHeader;
    private Instant now;

    @Setup
    public void sign() throws SigV4Exception {
        now = Instant.parse("2026-11-22T12:00:00Z");
        byte[] body = ("{\"InstanceId\":\"mi-0123456789abcdef0\",\"AgentName\":\"patchtide-agent\","
                        + "\"AgentVersion\":\"0.1.0\",\"ComputerName\":\"web-1\",\"IPAddress\":\"10.0.0.1\","
                        + "\"PlatformType\":\"Linux\",\"PlatformName\":\"Debian GNU/Linux\",\"PlatformVersion\":\"12\"}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of("127.0.0.1:8420"));
        headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        headers.put("X-Amz-Target", List.of("AmazonSSM.UpdateInstanceInformation"));
        Map<String, String> sent =
                SigV4.sign(new SignableRequest("POST", "/", "", headers, body), KEY, "us-east-1", "ssm", now);
        Map<String, List<String>> received = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sent.forEach((name, value) -> received.put(name, List.of(value)));
        signed = new SignableRequest("POST", "/", "", received, body);
        authorizationHeader = received.get("Authorization").getFirst();
    }

    @Benchmark
    public ParsedAuthorization parseAndVerify() throws SigV4Exception {
        ParsedAuthorization parsed = SigV4.parseAuthorization(authorizationHeader);
        SigV4.verify(signed, parsed, KEY.secretAccessKey(), now);
        return parsed;
    }
}

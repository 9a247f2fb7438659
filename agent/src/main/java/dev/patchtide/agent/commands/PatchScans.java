package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** Scans the host for patches and reports the result to the server, saying which operation produced it. */
@FunctionalInterface
public interface PatchScans {

    /** Returns the server's verdict, as {@code Patchtide.PutPatchScanReport} answers it. */
    JsonNode scanAndReport(PatchOperation operation) throws IOException, ApiCallException;

    /**
     * The members a scan report carries about the operation behind it, shown by DescribeInstancePatchStates:
     * {@code Operation} (Scan|Install), {@code OperationStartTime}, {@code OperationEndTime},
     * {@code RebootOption}, {@code SnapshotId}, {@code InstallOverrideList}.
     */
    record PatchOperation(
            String operation,
            Instant startTime,
            Instant endTime,
            String rebootOption,
            Optional<String> snapshotId,
            Optional<String> installOverrideList) {}
}

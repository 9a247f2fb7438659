package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.delivery.PendingDelivery;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Delivers a rule's target {@code arn:aws:states:...:stateMachine:<name>} by starting an execution whose input is
 * the rendered target input. The outbox delivers at least once, so the execution's name is derived from the
 * delivery: a retry asks for the same name with the same input, which StartExecution answers with the execution
 * already started (while it runs) or ExecutionAlreadyExists (once it ended); both mean this delivery was made.
 */
final class StateMachineDeliverer implements Deliverer {
    static final String KIND = "state-machine";

    private final ApiRouter router;

    StateMachineDeliverer(ApiRouter router) {
        this.router = router;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** A UUID, as the names of executions EventBridge starts are, but the same for every attempt of one delivery. */
    static String executionName(PendingDelivery delivery) {
        String seed = "outbox:" + delivery.id() + ":" + delivery.createdAt().toEpochMilli();
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public void deliver(PendingDelivery delivery) throws DeliveryFailure {
        ObjectNode request = ApiJson.documents()
                .createObjectNode()
                .put("stateMachineArn", delivery.delivery().destination())
                .put("name", executionName(delivery))
                .put("input", delivery.delivery().payload());
        try {
            router.invoke("AWSStepFunctions.StartExecution", request, LocalCalls.CALLER);
        } catch (ApiException.Conflict e) {
            if (!e.code().equals("ExecutionAlreadyExists")) {
                throw DeliveryFailure.permanent(e.code() + ": " + e.getMessage());
            }
            // An earlier attempt of this delivery started it and the execution has ended since.
        } catch (ApiException.Transient e) {
            throw DeliveryFailure.retryable(e.code() + ": " + e.getMessage(), e);
        } catch (ApiException e) {
            // A state machine that does not exist, an input it refuses: trying again cannot help.
            throw DeliveryFailure.permanent(e.code() + ": " + e.getMessage());
        }
    }
}

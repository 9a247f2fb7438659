package dev.patchtide.server.workflows;

import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** The AWS SDK for Java v2's clients, unchanged, pointed at a test server. */
final class SfnClients {
    private SfnClients() {}

    static SfnClient sfn(URI endpoint, String keyId, String secret) {
        return SfnClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(90))
                        // StartSyncExecution goes to "sync-<host>" at AWS; a server of one address takes it there.
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true)
                        .build())
                .build();
    }

    static SfnClient sfn(TestServer server) {
        return sfn(
                server.endpoint(),
                server.adminKey().accessKeyId(),
                server.adminKey().secretAccessKey());
    }

    static SnsClient sns(TestServer server) {
        return SnsClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }
}

package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** SNS's query wire byte by byte: forms the SDKs would not send, and the XML errors they get. */
class SnsQueryWireTest {
    static NotifyFixture notify;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        notify = new NotifyFixture(MutableClock.ofNow());
    }

    @AfterAll
    static void stop() {
        notify.close();
    }

    record Answer(int status, String contentType, String requestId, Document xml) {
        String text(String element) {
            return xml.getElementsByTagName(element).item(0).getTextContent();
        }
    }

    @Test
    void listsMapsAndTheResultWrapperAsTheModelSays() throws Exception {
        Answer created = signed("Action=CreateTopic&Version=2010-03-31&Name=wire&Attributes.entry.1.key=DisplayName"
                + "&Attributes.entry.1.value=Wire+%26+more&Tags.member.1.Key=team&Tags.member.1.Value=ops");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.contentType()).startsWith("text/xml");
        Document xml = created.xml();
        assertThat(xml.getDocumentElement().getTagName()).isEqualTo("CreateTopicResponse");
        assertThat(xml.getDocumentElement().getNamespaceURI()).isEqualTo("http://sns.amazonaws.com/doc/2010-03-31/");
        assertThat(created.text("TopicArn")).isEqualTo("arn:aws:sns:us-east-1:123456789012:wire");
        assertThat(created.text("RequestId")).isEqualTo(created.requestId());

        Answer attributes = signed("Action=GetTopicAttributes&Version=2010-03-31"
                + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Awire");
        assertThat(attributes.status()).isEqualTo(200);
        assertThat(attributes
                        .xml()
                        .getElementsByTagName("GetTopicAttributesResult")
                        .getLength())
                .isEqualTo(1);
        var entries = attributes.xml().getElementsByTagName("entry");
        boolean found = false;
        for (int i = 0; i < entries.getLength(); i++) {
            var entry = (org.w3c.dom.Element) entries.item(i);
            if (entry.getElementsByTagName("key").item(0).getTextContent().equals("DisplayName")) {
                assertThat(entry.getElementsByTagName("value").item(0).getTextContent())
                        .isEqualTo("Wire & more");
                found = true;
            }
        }
        assertThat(found).isTrue();

        // An operation without output answers with the metadata only; an empty list is "Name=".
        Answer deleted = signed("Action=DeleteTopic&Version=2010-03-31"
                + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Awire");
        assertThat(deleted.xml().getDocumentElement().getTagName()).isEqualTo("DeleteTopicResponse");
        assertThat(deleted.xml().getElementsByTagName("DeleteTopicResult").getLength())
                .isZero();
        assertThat(signed("Action=CreateTopic&Version=2010-03-31&Name=untagged&Tags=")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void errorsAreXmlWithTheQueryCodes() throws Exception {
        Answer unknown = signed("Action=LaunchRockets&Version=2010-03-31");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.xml().getDocumentElement().getTagName()).isEqualTo("ErrorResponse");
        assertThat(unknown.text("Type")).isEqualTo("Sender");
        assertThat(unknown.text("Code")).isEqualTo("InvalidAction");
        assertThat(unknown.text("RequestId")).isEqualTo(unknown.requestId());

        Answer extra = signed("Action=CreateTopic&Version=2010-03-31&Name=x&Colour=red");
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.text("Code")).isEqualTo("InvalidParameter");
        assertThat(extra.text("Message")).isEqualTo("Unknown parameter 'Colour' in CreateTopic request");

        Answer missing = signed("Action=CreateTopic&Version=2010-03-31");
        assertThat(missing.text("Code")).isEqualTo("ValidationError");
        assertThat(missing.text("Message")).contains("Value null at 'name'");

        Answer notBoolean =
                signed("Action=Subscribe&Version=2010-03-31&TopicArn=t&Protocol=http" + "&ReturnSubscriptionArn=yes");
        assertThat(notBoolean.text("Code")).isEqualTo("InvalidParameter");
        assertThat(notBoolean.text("Message")).contains("ReturnSubscriptionArn");

        Answer halfEntry = signed("Action=CreateTopic&Version=2010-03-31&Name=x&Attributes.entry.1.key=DisplayName");
        assertThat(halfEntry.text("Code")).isEqualTo("InvalidParameter");
        assertThat(halfEntry.text("Message")).contains("Attributes.entry.1.value");

        Answer version = signed("Action=ListTopics&Version=2099-01-01");
        assertThat(version.text("Code")).isEqualTo("NoSuchVersion");

        HttpResponse<String> unsigned = http.send(
                HttpRequest.newBuilder(notify.server.endpoint())
                        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString("Action=ListTopics&Version=2010-03-31"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(parse(unsigned.body()).getElementsByTagName("Code").item(0).getTextContent())
                .isEqualTo("MissingAuthenticationToken");
    }

    @Test
    void bothWiresCountInTheSameRequestMetric() throws Exception {
        signed("Action=ListTopics&Version=2010-03-31");
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(notify.server.endpoint().resolve("/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .contains("patchtide_api_requests_seconds_count{action=\"Patchtide.ListTopics\",outcome=\"ok\"}");
    }

    /** A form request signed for service sns with the admin key, as botocore sends it. */
    private static Answer signed(String form) throws Exception {
        URI endpoint = notify.server.endpoint();
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of(endpoint.getHost() + ":" + endpoint.getPort()));
        headers.put("Content-Type", List.of("application/x-www-form-urlencoded; charset=utf-8"));
        Map<String, String> toSend = SigV4.sign(
                new SignableRequest("POST", "/", "", headers, bytes),
                new SigV4Credentials(
                        notify.server.adminKey().accessKeyId(),
                        notify.server.adminKey().secretAccessKey()),
                TestServer.REGION,
                "sns",
                Instant.now());
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        toSend.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("host")) {
                request.header(name, value);
            }
        });
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("x-amzn-RequestId").orElse(""),
                parse(response.body()));
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}

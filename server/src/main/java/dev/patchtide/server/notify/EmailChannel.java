package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.notify.RenderedMessage.Fact;
import dev.patchtide.server.notify.RenderedMessage.InstanceLine;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * The {@code email} protocol: a confirmation email with a link, then each notification as text with
 * an HTML alternative and an unsubscribe link, sent over SMTP by {@link Mailer}.
 */
final class EmailChannel implements Channel {
    private final Mailer mailer;
    private final Links links;

    EmailChannel(Mailer mailer, Links links) {
        this.mailer = mailer;
        this.links = links;
    }

    @Override
    public String protocol() {
        return "email";
    }

    @Override
    public void checkEndpoint(String endpoint) {
        try {
            InternetAddress address = new InternetAddress(endpoint == null ? "" : endpoint, true);
            if (address.getPersonal() != null || !address.getAddress().contains("@")) {
                throw new AddressException("not a bare address");
            }
        } catch (AddressException e) {
            throw SnsErrors.invalidParameter("Endpoint Reason: an email endpoint must be an email address");
        }
    }

    @Override
    public boolean needsConfirmation() {
        return true;
    }

    @Override
    public void sendConfirmation(Subscription subscription, Confirmation c, long deliveryId) throws DeliveryFailure {
        String text = "You have chosen to subscribe to the topic:\n" + c.topicArn()
                + "\n\nTo confirm this subscription, click or visit the link below (if this was in error no action"
                + " is necessary):\n" + c.confirmUrl() + "\n";
        String html = "<p>You have chosen to subscribe to the topic:<br><b>" + escape(c.topicArn()) + "</b></p>"
                + "<p>To confirm this subscription, click or visit the link below (if this was in error no action is"
                + " necessary):<br><a href=\"" + escape(c.confirmUrl()) + "\">Confirm subscription</a></p>";
        mailer.send(
                subscription.endpoint(), "Patchtide Notification - Subscription Confirmation", text, html, deliveryId);
    }

    @Override
    public void send(Subscription subscription, Notification n, RenderedMessage m, long deliveryId)
            throws DeliveryFailure {
        String unsubscribe = links.unsubscribe(subscription);
        String text = m.plainText() + "\n--\nIf you wish to stop receiving notifications from this topic, click or"
                + " visit the link below to unsubscribe:\n" + unsubscribe + "\n";
        mailer.send(subscription.endpoint(), subjectLine(m.title()), text, html(m, unsubscribe), deliveryId);
    }

    private static String html(RenderedMessage m, String unsubscribe) {
        StringBuilder out =
                new StringBuilder("<html><body><h2>").append(escape(m.title())).append("</h2>");
        if (!m.text().isBlank()) {
            out.append("<p style=\"white-space:pre-wrap\">")
                    .append(escape(m.text()))
                    .append("</p>");
        }
        if (!m.facts().isEmpty()) {
            out.append("<table>");
            for (Fact fact : m.facts()) {
                out.append("<tr><th align=\"left\">")
                        .append(escape(fact.name()))
                        .append("</th><td>")
                        .append(escape(fact.value()))
                        .append("</td></tr>");
            }
            out.append("</table>");
        }
        if (!m.instances().isEmpty()) {
            out.append("<ul>");
            for (InstanceLine line : m.instances()) {
                out.append("<li><a href=\"")
                        .append(escape(line.dashboardUrl()))
                        .append("\">")
                        .append(escape(line.label()))
                        .append("</a>");
                if (!line.summary().isEmpty()) {
                    out.append(": ").append(escape(line.summary()));
                }
                out.append("</li>");
            }
            out.append("</ul>");
        }
        m.link()
                .ifPresent(link ->
                        out.append("<p><a href=\"").append(escape(link)).append("\">Open the dashboard</a></p>"));
        out.append("<hr><p style=\"font-size:small\">If you wish to stop receiving notifications from this topic,"
                        + " <a href=\"")
                .append(escape(unsubscribe))
                .append("\">unsubscribe</a>.</p></body></html>");
        return out.toString();
    }

    /** One line, at most 100 characters, as SNS limits email subjects. */
    private static String subjectLine(String title) {
        String line = title.replaceAll("[\\r\\n]+", " ").strip();
        return line.length() <= 100 ? line : line.substring(0, 99) + "…";
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}

package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.DeliveryFailure;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends multipart/alternative (text + HTML) mail over SMTP with Angus Mail. A 5xx SMTP answer (an
 * address or message refused for good) is permanent; anything else (no connection, a 4xx) is retried.
 */
final class Mailer {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SmtpSettings settings;
    private final Session session;
    private final InstantSource clock;

    Mailer(SmtpSettings settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
        Properties props = new Properties();
        String scheme = settings.security().equals("tls") ? "smtps" : "smtp";
        props.put("mail.transport.protocol", scheme);
        props.put("mail." + scheme + ".host", settings.host());
        props.put("mail." + scheme + ".port", Integer.toString(settings.port()));
        props.put("mail." + scheme + ".connectiontimeout", Long.toString(TIMEOUT.toMillis()));
        props.put("mail." + scheme + ".timeout", Long.toString(TIMEOUT.toMillis()));
        props.put("mail." + scheme + ".writetimeout", Long.toString(TIMEOUT.toMillis()));
        props.put(
                "mail." + scheme + ".auth", Boolean.toString(settings.username().isPresent()));
        if (settings.security().equals("starttls")) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        Authenticator login = settings.username().isEmpty()
                ? null
                : new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(
                                settings.username().orElseThrow(),
                                settings.password().orElseThrow());
                    }
                };
        this.session = Session.getInstance(props, login);
    }

    void send(String to, String subject, String text, String html, long deliveryId) throws DeliveryFailure {
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(settings.from(), true));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            message.setSubject(subject, "UTF-8");
            message.setSentDate(Date.from(clock.instant()));
            message.setHeader("X-Patchtide-Delivery-Id", Long.toString(deliveryId));
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8", "plain");
            MimeBodyPart rich = new MimeBodyPart();
            rich.setText(html, "UTF-8", "html");
            message.setContent(new MimeMultipart("alternative", plain, rich));
            Transport.send(message);
        } catch (SMTPAddressFailedException e) {
            throw classify(e.getReturnCode(), e);
        } catch (SMTPSendFailedException e) {
            throw classify(e.getReturnCode(), e);
        } catch (MessagingException e) {
            Throwable cause = e.getNextException();
            if (cause instanceof SMTPAddressFailedException refused) {
                throw classify(refused.getReturnCode(), e);
            }
            throw DeliveryFailure.retryable("SMTP " + settings.host() + ":" + settings.port() + ": " + e, e);
        }
    }

    private DeliveryFailure classify(int code, MessagingException e) {
        String reason = "SMTP " + settings.host() + " answered " + code + ": " + e.getMessage();
        return code >= 500 ? DeliveryFailure.permanent(reason) : DeliveryFailure.retryable(reason, e);
    }
}

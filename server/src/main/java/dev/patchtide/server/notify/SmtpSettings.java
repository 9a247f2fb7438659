package dev.patchtide.server.notify;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * How the server sends email (the {@code email} protocol), checked at start-up so a mistake names the
 * setting as the command line spells it.
 *
 * @param host SMTP server name or address ({@code --smtp-host})
 * @param port its port ({@code --smtp-port}): 25, 587 (STARTTLS) or 465 (TLS) usually
 * @param from the sender address, optionally with a name: {@code Patchtide <patchtide@example.com>}
 * @param username login, if the server wants one ({@code --smtp-username})
 * @param password its password ({@code --smtp-password}); given exactly when a username is
 * @param security {@code none}, {@code starttls} or {@code tls} ({@code --smtp-security})
 */
public record SmtpSettings(
        String host, int port, String from, Optional<String> username, Optional<String> password, String security) {

    public SmtpSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("smtp-host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smtp-port must be between 1 and 65535, got " + port);
        }
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("smtp-from must be set when smtp-host is");
        }
        try {
            new InternetAddress(from, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("smtp-from is not an email address: " + from);
        }
        username = username.filter(u -> !u.isBlank());
        password = password.filter(p -> !p.isEmpty());
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("smtp-username and smtp-password must be given together");
        }
        security = security == null ? "none" : security.toLowerCase(Locale.ROOT);
        if (!security.equals("none") && !security.equals("starttls") && !security.equals("tls")) {
            throw new IllegalArgumentException("smtp-security must be none, starttls or tls, got " + security);
        }
    }

    /** A plain SMTP server without login, as a relay on the same network (or a test server) is. */
    public static SmtpSettings plain(String host, int port, String from) {
        return new SmtpSettings(host, port, from, Optional.empty(), Optional.empty(), "none");
    }
}

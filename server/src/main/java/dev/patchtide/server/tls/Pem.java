package dev.patchtide.server.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM files of certificates and private keys, as OpenSSL and the AWS CLI read and write them. */
public final class Pem {
    /** A certificate or key file is a few kilobytes; anything far bigger is not one, and is not read whole. */
    static final long MAX_FILE = 1024 * 1024;

    private Pem() {}

    /** The certificates in {@code file}, in order (a chain: the server's first). */
    public static List<X509Certificate> readCertificates(Path file, String setting) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(readBounded(file, setting)))) {
            Object next;
            while ((next = parser.readObject()) != null) {
                if (next instanceof X509CertificateHolder holder) {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (CertificateException | IOException e) {
            throw new IllegalArgumentException(setting + " is not a PEM certificate file: " + file);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(setting + " holds no PEM certificate: " + file);
        }
        return certificates;
    }

    /** The private key in {@code file}: PKCS#8, or OpenSSL's traditional RSA/EC form (unencrypted). */
    public static PrivateKey readPrivateKey(Path file, String setting) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(readBounded(file, setting)))) {
            Object next;
            while ((next = parser.readObject()) != null) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (next instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (next instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " is not a PEM private key file: " + file);
        }
        throw new IllegalArgumentException(setting + " holds no unencrypted PEM private key: " + file);
    }

    public static String encode(Object certificateOrKey) {
        if (certificateOrKey instanceof PrivateKey key) {
            // PKCS#8 as the JDK encodes it: the curve is in the algorithm identifier, which every reader needs
            return "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificateOrKey);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot encode " + certificateOrKey.getClass().getSimpleName(), e);
        }
        return text.toString();
    }

    public static String encodeAll(List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        certificates.forEach(c -> text.append(encode(c)));
        return text.toString();
    }

    private static String readBounded(Path file, String setting) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + " is not a readable file: " + file);
        }
        if (Files.size(file) > MAX_FILE) {
            throw new IllegalArgumentException(setting + " is larger than " + MAX_FILE + " bytes: " + file);
        }
        return Files.readString(file);
    }
}

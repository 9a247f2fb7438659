package dev.patchtide.server.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own small PKI in {@code <data>/tls}: a CA made once ({@code ca.key}, {@code ca.pem}), and a
 * server certificate it signs for this host's names ({@code server.key}, {@code server.pem}), made again when it
 * nears its end or the names changed. Keys are owner-only. Agents pin the CA, so a new server certificate needs
 * nothing from them; a new CA would (they must enrol again), hence the CA is never replaced silently.
 */
public final class PrivateCa {
    private static final Logger log = LoggerFactory.getLogger(PrivateCa.class);
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** 397 days: the longest any browser accepts for a server certificate, should one be pointed at it. */
    static final Duration SERVER_LIFETIME = Duration.ofDays(397);

    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** Clocks of clients may lag behind ours. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final InstantSource clock;

    public PrivateCa(Path dir, InstantSource clock) {
        this.dir = dir;
        this.clock = clock;
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The CA (made if absent) and a server certificate for {@code names}, reused while it fits and lasts. */
    public TlsMaterial loadOrCreate(SortedSet<String> names) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path caKeyFile = dir.resolve("ca.key");
        boolean haveCert = Files.exists(caFile());
        if (haveCert != Files.exists(caKeyFile)) {
            throw new IllegalStateException(
                    "the private CA in " + dir + " is incomplete (" + (haveCert ? caKeyFile : caFile())
                            + " is missing); remove the other file to make a new CA, after which every agent must enrol again");
        }
        if (!haveCert) {
            KeyPair keys = newKeyPair();
            X509Certificate ca = caCertificate(keys);
            writeFile(caKeyFile, Pem.encode(keys.getPrivate()), "rw-------");
            writeFile(caFile(), Pem.encode(ca), "rw-r--r--");
            log.info("made a private CA in {} ({})", dir, Fingerprints.certificate(ca));
        }
        X509Certificate ca = Pem.readCertificates(caFile(), "tls/ca.pem").getFirst();
        PrivateKey caKey = Pem.readPrivateKey(caKeyFile, "tls/ca.key");
        Path serverKeyFile = dir.resolve("server.key");
        Path serverFile = dir.resolve("server.pem");
        if (Files.exists(serverKeyFile) && Files.exists(serverFile)) {
            X509Certificate current =
                    Pem.readCertificates(serverFile, "tls/server.pem").getFirst();
            if (stillGood(current, ca, names)) {
                return new TlsMaterial(Pem.readPrivateKey(serverKeyFile, "tls/server.key"), List.of(current, ca), ca);
            }
        }
        KeyPair keys = newKeyPair();
        X509Certificate server = serverCertificate(keys, ca, caKey, names);
        writeFile(serverKeyFile, Pem.encode(keys.getPrivate()), "rw-------");
        writeFile(serverFile, Pem.encodeAll(List.of(server, ca)), "rw-r--r--");
        log.info(
                "made a server certificate for {}, valid until {}",
                names,
                server.getNotAfter().toInstant());
        return new TlsMaterial(keys.getPrivate(), List.of(server, ca), ca);
    }

    private boolean stillGood(X509Certificate server, X509Certificate ca, Set<String> names) {
        try {
            server.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false;
        }
        Instant renewAt = server.getNotAfter().toInstant().minus(RENEW_BEFORE);
        return clock.instant().isBefore(renewAt) && subjectAltNames(server).equals(names);
    }

    /** The DNS names and IP addresses a certificate is for, normalised as {@link HostNames} does. */
    static SortedSet<String> subjectAltNames(X509Certificate certificate) {
        SortedSet<String> names = new TreeSet<>();
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> entry : all) {
                    int type = (Integer) entry.get(0);
                    if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
                        names.add(HostNames.normalise((String) entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return names;
        }
        return names;
    }

    private X509Certificate caCertificate(KeyPair keys) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Patchtide")
                .addRDN(BCStyle.CN, "Patchtide private CA " + RANDOM.nextInt(100_000, 1_000_000))
                .build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(CA_LIFETIME)),
                            name,
                            keys.getPublic())
                    // path length 0: it signs server certificates, never another CA
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make the private CA: " + e.getMessage(), e);
        }
    }

    private X509Certificate serverCertificate(
            KeyPair keys, X509Certificate ca, PrivateKey caKey, SortedSet<String> names) {
        List<GeneralName> alt = new ArrayList<>();
        for (String n : names) {
            alt.add(new GeneralName(HostNames.isAddress(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        String commonName = names.stream()
                .filter(n -> !HostNames.isAddress(n) && !n.equals("localhost"))
                .findFirst()
                .orElse("localhost");
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Patchtide")
                .addRDN(BCStyle.CN, commonName)
                .build();
        Instant now = clock.instant();
        Instant notAfter = now.plus(SERVER_LIFETIME);
        if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
            notAfter = ca.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            ca,
                            serial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(notAfter),
                            subject,
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
            return sign(builder, caKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make the server certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 keys are part of every Java runtime", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** Written whole under a temporary name, with its final permissions from the start, then renamed. */
    private static void writeFile(Path file, String content, String permissions) throws IOException {
        Path temp = Files.createTempFile(
                file.getParent(),
                file.getFileName().toString(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, content);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}

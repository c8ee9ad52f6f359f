package dev.firstordinal.certs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code notAfter} of the first certificate in a PEM file (the serving certificate of a
 * {@code tls.crt} chain). The file is parsed again only when its modification time or size
 * changes, so reading it on every Prometheus scrape costs one {@code stat}; a Secret update
 * (kubelet swaps the mounted files) is seen at the next scrape.
 */
public final class CertificateExpiry {

    private final Path file;
    private Snapshot last;

    private record Snapshot(FileTime modified, long size, Optional<Instant> notAfter) {
    }

    public CertificateExpiry(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The certificate's notAfter; empty when the file is missing or holds no readable certificate. */
    public synchronized Optional<Instant> notAfter() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException missing) {
            last = null;
            return Optional.empty();
        }
        if (last == null || !last.modified().equals(attributes.lastModifiedTime()) || last.size() != attributes.size()) {
            last = new Snapshot(attributes.lastModifiedTime(), attributes.size(), read(file));
        }
        return last.notAfter();
    }

    private static Optional<Instant> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return Optional.of(certificate.getNotAfter().toInstant());
        } catch (IOException | CertificateException | ClassCastException e) {
            return Optional.empty();
        }
    }
}

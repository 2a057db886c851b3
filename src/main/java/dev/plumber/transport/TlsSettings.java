package dev.plumber.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to trust an {@code icaps://} server.
 *
 * @param caFile PEM file of the CA(s) to trust, or null for the JVM's trust store
 * @param verify false skips certificate and host name checks (the caller logs that loudly)
 */
public record TlsSettings(Path caFile, boolean verify) {
    private static final Logger log = LoggerFactory.getLogger(TlsSettings.class);

    public static TlsSettings defaults() {
        return new TlsSettings(null, true);
    }

    /** A socket factory that trusts what these settings say (shared with the InfoWatch client). */
    public SSLSocketFactory socketFactory() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (!verify) {
                log.warn("DLP tlsVerify=false: icaps:// server certificates and host names are NOT checked");
                context.init(null, new TrustManager[] {new TrustAll()}, null);
            } else if (caFile != null) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate cert : certificates(caFile)) {
                    store.setCertificateEntry("ca-" + i++, cert);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                context.init(null, tmf.getTrustManagers(), null);
            } else {
                context.init(null, null, null);
            }
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS with caFile=" + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The certificates of a PEM (or DER) file, as {@link #socketFactory()} trusts them; the DLP settings check a
     * {@code caFile} with this before it is used.
     */
    public static Collection<? extends Certificate> certificates(Path caFile)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(caFile)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

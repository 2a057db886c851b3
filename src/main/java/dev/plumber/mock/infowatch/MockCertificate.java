package dev.plumber.mock.infowatch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for the mock (names {@code localhost} and {@code 127.0.0.1}), made with the JDK's
 * own {@code keytool}; clients trust it through the PEM file at {@link #caFile()} (the DLP setting {@code caFile}).
 */
public record MockCertificate(Path caFile, SSLContext serverContext) {
    private static final String PASSWORD = "plumber-mock";

    /** Makes a new key pair and certificate in {@code dir}. */
    public static MockCertificate generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("infowatch-mock.p12");
        Path pem = dir.resolve("infowatch-mock-ca.pem");
        Files.deleteIfExists(keystore);
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                dir,
                List.of(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "mock",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "san=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "365",
                        "-keystore",
                        keystore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        PASSWORD,
                        "-keypass",
                        PASSWORD));
        run(
                dir,
                List.of(
                        keytool,
                        "-exportcert",
                        "-rfc",
                        "-alias",
                        "mock",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        PASSWORD,
                        "-file",
                        pem.toString()));
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new MockCertificate(pem, context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the mock's certificate: " + e.getMessage(), e);
        }
    }

    private static void run(Path dir, List<String> command) throws IOException {
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: "
                        + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the mock's certificate", e);
        }
    }
}

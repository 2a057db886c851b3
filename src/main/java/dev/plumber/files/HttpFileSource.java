package dev.plumber.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.util.Timeout;

/** Downloads files from the file service ({@code GET <files.url>/get/<hash>}), streaming each body as it arrives. */
public final class HttpFileSource implements FileSource, AutoCloseable {
    private final String baseUrl;
    private final String bearerToken;
    private final CloseableHttpClient http;

    /**
     * @param bearerToken the gateway's service credential, or null for none
     * @param timeout the connect timeout and the longest wait for any read ({@code files.timeout})
     */
    public HttpFileSource(String baseUrl, String bearerToken, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.bearerToken = bearerToken;
        Timeout t = Timeout.of(timeout);
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(t)
                                .setSocketTimeout(t)
                                .build())
                        .setMaxConnPerRoute(16)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(t)
                        .setResponseTimeout(t)
                        .build())
                .disableAutomaticRetries()
                // The DLP needs the exact length up front; a decompressed entity has none.
                .disableContentCompression()
                .build();
    }

    @Override
    public OpenFile open(String hash) throws IOException {
        HttpGet get = new HttpGet(baseUrl + "/get/" + URLEncoder.encode(hash, StandardCharsets.UTF_8));
        if (bearerToken != null && !bearerToken.isEmpty()) {
            get.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + bearerToken);
        }
        ClassicHttpResponse response = http.executeOpen(null, get, null);
        try {
            int status = response.getCode();
            HttpEntity entity = response.getEntity();
            if (status == 404) {
                throw new FileGoneException("file service has no file " + hash + " (404)");
            }
            if (status < 200 || status > 299 || entity == null) {
                throw new IOException("file service answered " + status + " for file " + hash);
            }
            return new OpenFile(entity.getContentLength(), new Body(entity, get, response));
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /**
     * A file's body. Closed before its end — the DLP answered after a preview, or the call failed — it drops the
     * connection: closing the response as such would read the rest of the file to keep the connection, all of a 1 GiB
     * file that the DLP no longer wants.
     */
    private static final class Body extends FilterInputStream {
        private final long length;
        private final HttpGet get;
        private final ClassicHttpResponse response;
        private long read;
        private boolean ended;

        Body(HttpEntity entity, HttpGet get, ClassicHttpResponse response) throws IOException {
            super(entity.getContent());
            this.length = entity.getContentLength();
            this.get = get;
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            counted(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return counted(super.read(b, off, len));
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            read += skipped;
            return skipped;
        }

        private int counted(int n) {
            if (n < 0) {
                ended = true;
            } else {
                read += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (ended || (length >= 0 && read >= length)) {
                response.close(); // nothing left to read: the connection goes back to the pool
                return;
            }
            get.cancel();
            try {
                response.close();
            } catch (IOException e) {
                // The connection is gone, as meant.
            }
        }
    }
}

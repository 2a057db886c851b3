package dev.plumber.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
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
            InputStream body = new FilterInputStream(entity.getContent()) {
                @Override
                public void close() throws IOException {
                    // Closing the response before the end drops the connection instead of draining a large file.
                    response.close();
                }
            };
            return new OpenFile(entity.getContentLength(), body);
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}

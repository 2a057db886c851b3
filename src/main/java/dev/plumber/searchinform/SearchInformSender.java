package dev.plumber.searchinform;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.DlpSender;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.files.FileSource;
import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapResponse;
import dev.plumber.settings.DlpSettings;
import dev.plumber.transport.BodySourceException;
import dev.plumber.transport.IcapBody;
import dev.plumber.transport.IcapClient;
import dev.plumber.transport.IcapTimeoutException;
import dev.plumber.transport.TlsSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Delivers events to SearchInform as ICAP REQMOD requests (SPEC §4) and maps the answer to a verdict. */
public final class SearchInformSender implements DlpSender {
    private static final String STAGE_DLP = "dlp";
    private static final String STAGE_FILE = "file";

    private final IcapClient client;
    private final FileSource files;
    private final Duration timeout;
    /** The target of the settings last seen; settings change seldom, events come by the thousand a second. */
    private volatile Target target;

    /** @param timeout the budget of one DLP call ({@code dlpClient.timeout}) */
    public SearchInformSender(IcapClient client, FileSource files, Duration timeout) {
        this.client = client;
        this.files = files;
        this.timeout = timeout;
    }

    @Override
    public Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException {
        Target to = target(settings);
        IcapHeaders icapHeaders = icapHeaders(event, settings);
        return switch (event) {
            case MessageEvent m -> {
                byte[] json = SearchInformPayloads.messageJson(m);
                yield verdict(call(to, icapHeaders, to.json(), IcapBody.of(json)));
            }
            case FileEvent f -> sendFile(f, to, icapHeaders);
        };
    }

    /**
     * The ICAP service and the encapsulated request's target, as the settings give them; {@code json} is the head of
     * every message's request.
     */
    private record Target(DlpSettings settings, URI service, TlsSettings tls, IcapHeaders host, HttpRequestHead json) {
        Target(DlpSettings settings, URI service, TlsSettings tls, IcapHeaders host) {
            this(settings, service, tls, host, post(settings, host, "application/json"));
        }

        HttpRequestHead post(String contentType) {
            return post(settings, host, contentType);
        }

        private static HttpRequestHead post(DlpSettings settings, IcapHeaders host, String contentType) {
            return HttpRequestHead.of("POST", settings.requestUrl(), host.with("Content-Type", contentType));
        }
    }

    /** The target of {@code settings}, parsed once for each settings rather than for every event. */
    private Target target(DlpSettings settings) throws DeliveryException {
        Target last = target;
        if (last != null && last.settings() == settings) {
            return last;
        }
        URI service;
        try {
            service = settings.icapUri();
        } catch (IllegalArgumentException e) {
            throw DeliveryException.permanent(STAGE_DLP, "bad ICAP address '" + settings.address() + "'", e);
        }
        URI url = URI.create(settings.requestUrl());
        IcapHeaders host = url.getHost() == null
                ? IcapHeaders.empty()
                : IcapHeaders.of("Host", url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort());
        Target parsed = new Target(settings, service, new TlsSettings(settings.caFile(), settings.tlsVerify()), host);
        target = parsed;
        return parsed;
    }

    private Verdict sendFile(FileEvent f, Target to, IcapHeaders icapHeaders) throws DeliveryException {
        SearchInformPayloads.Multipart multipart = SearchInformPayloads.multipart(f);
        HttpRequestHead http = to.post(multipart.contentType());
        try (FileSource.OpenFile file = open(f.hash())) {
            long fileLength = file.length() >= 0 ? file.length() : f.size();
            InputStream body = new SequenceInputStream(
                    new SequenceInputStream(new ByteArrayInputStream(multipart.prefix()), file.body()),
                    new ByteArrayInputStream(multipart.suffix()));
            return verdict(call(to, icapHeaders, http, new IcapBody(multipart.length(fileLength), body)));
        } catch (IOException e) {
            // Only closing the file can fail here; the verdict is already in.
            throw DeliveryException.transientFailure(STAGE_FILE, "closing file " + f.hash() + ": " + e.getMessage(), e);
        }
    }

    private FileSource.OpenFile open(String hash) throws DeliveryException {
        try {
            return files.open(hash);
        } catch (FileSource.FileGoneException e) {
            throw DeliveryException.permanent(STAGE_FILE, "file " + hash + " is gone: " + e.getMessage(), e);
        } catch (IOException e) {
            throw DeliveryException.transientFailure(STAGE_FILE, "file " + hash + ": " + e.getMessage(), e);
        }
    }

    private IcapResponse call(Target to, IcapHeaders headers, HttpRequestHead http, IcapBody body)
            throws DeliveryException {
        URI service = to.service();
        try {
            return client.reqmod(service, to.tls(), headers, http, body, timeout);
        } catch (BodySourceException e) {
            throw DeliveryException.transientFailure(STAGE_FILE, e.getMessage(), e);
        } catch (IcapTimeoutException e) {
            throw DeliveryException.transientFailure(STAGE_DLP, "ICAP " + service + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw DeliveryException.transientFailure(
                    STAGE_DLP, "ICAP " + service + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw DeliveryException.permanent(STAGE_DLP, e.getMessage(), e);
        }
    }

    @Override
    public long bodyBytesSent() {
        return client.bodyBytesSent();
    }

    static Verdict verdict(IcapResponse r) throws DeliveryException {
        return switch (r.status()) {
            case 204 -> Verdict.allowed(r.istag());
            case 200 -> r.httpResponse() == null ? Verdict.allowed(r.istag()) : Verdict.blocked(reason(r), r.istag());
            case 400, 404, 405, 418, 501, 505 ->
                throw DeliveryException.permanent(STAGE_DLP, "ICAP " + r.status() + " " + r.reason(), null);
            default ->
                throw DeliveryException.transientFailure(STAGE_DLP, "ICAP " + r.status() + " " + r.reason(), null);
        };
    }

    /** "403 Forbidden; X-Block-Reason: card number": the encapsulated status, then each reason header found. */
    static String reason(IcapResponse r) {
        StringBuilder reason = new StringBuilder(r.httpResponse().statusText());
        for (String name : List.of(
                "X-Infection-Found", "X-Violations-Found", "X-Response-Info", "X-Block-Reason", "X-Virus-Name")) {
            List<String> values = r.headers().all(name);
            if (values.isEmpty()) {
                values = r.httpResponse().headers().all(name);
            }
            for (String value : values) {
                reason.append("; ").append(name).append(": ").append(value);
            }
        }
        return reason.toString();
    }

    private static IcapHeaders icapHeaders(DlpEvent event, DlpSettings settings) {
        String user = settings.userEncoding() == DlpSettings.UserEncoding.BASE64
                ? Base64.getEncoder().encodeToString(event.sender().getBytes(StandardCharsets.UTF_8))
                : event.sender();
        IcapHeaders headers = IcapHeaders.of("X-Authenticated-User", user);
        return event.ip() == null || event.ip().isBlank() ? headers : headers.with("X-Client-IP", event.ip());
    }
}

package dev.plumber.mock.icap;

import dev.plumber.icap.HttpResponseHead;
import dev.plumber.icap.IcapEncoder;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapProtocolException;
import dev.plumber.icap.IcapRequest;
import dev.plumber.icap.IcapRequestDecoder;
import dev.plumber.icap.IcapResponse;
import dev.plumber.mock.Delays;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rule-driven ICAP DLP for tests and the demo: answers OPTIONS and REQMOD (preview, 100 Continue, keep-alive),
 * blocks with a 403 page when a rule matches the body, and records every REQMOD for {@link #takeRequest}.
 */
public final class IcapMockServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IcapMockServer.class);
    private static final String ISTAG = "\"plumber-mock-1\"";
    private static final int BODY_LIMIT = 256 * 1024 * 1024;
    private static final byte[] CONTINUE = "ICAP/1.0 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The one service the mock serves: {@code icap://host:port/request}. */
    public static final String SERVICE_PATH = "/request";

    /** A REQMOD the mock received, with its de-chunked body and what the rules decided. */
    public record RecordedRequest(IcapRequest request, byte[] body, String blockedBy) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final MockRules rules;
    private final BlockingQueue<RecordedRequest> recorded = new LinkedBlockingQueue<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile Duration delay = Duration.ZERO;
    private volatile int failure;
    private volatile boolean closed;

    private IcapMockServer(ServerSocket server, MockRules rules) {
        this.server = server;
        this.rules = rules;
    }

    /** Starts listening on all interfaces; port 0 picks a free port. */
    public static IcapMockServer start(int port, MockRules rules) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        IcapMockServer mock = new IcapMockServer(socket, rules);
        Thread.ofVirtual().name("icap-mock-accept").start(mock::acceptLoop);
        return mock;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next recorded REQMOD, waiting up to {@code timeout}; null when none came. */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        return recorded.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Answers each REQMOD only {@code delay} after it has arrived (OPTIONS stay prompt), like a DLP that takes its
     * time over every check; {@link Duration#ZERO} answers at once again. Each connection waits on its own.
     */
    public void delayAnswers(Duration delay) {
        this.delay = delay;
    }

    /**
     * Answers each REQMOD with {@code status} (e.g. 503, a DLP that is up but refuses work) without looking at it;
     * 0 answers normally again.
     */
    public void failWith(int status) {
        this.failure = status;
    }

    /** How many connections are open now. */
    public int openConnections() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                connections.add(socket);
                Thread.ofVirtual().name("icap-mock-conn").start(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("ICAP mock stopped accepting: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            IcapRequestDecoder decoder = new IcapRequestDecoder(BODY_LIMIT);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                decoder.feed(buffer, 0, n);
                IcapRequestDecoder.Part part;
                try {
                    part = decoder.next();
                } catch (IcapProtocolException e) {
                    log.debug("ICAP mock: bad request: {}", e.getMessage());
                    out.write(IcapEncoder.encodeResponse(
                            simple(400, "Bad Request").with("Connection", "close")));
                    return;
                }
                while (part != null) {
                    if (!answer(part, out)) {
                        return;
                    }
                    part = decoder.next();
                }
                out.flush();
            }
        } catch (IOException | IcapProtocolException e) {
            if (!closed) {
                log.debug("ICAP mock connection ended: {}", e.toString());
            }
        } finally {
            connections.remove(socket);
        }
    }

    /** Writes the answer to one decoded part; false when the connection must close afterwards. */
    private boolean answer(IcapRequestDecoder.Part part, OutputStream out) throws IOException {
        IcapRequest request = part.request();
        if (!SERVICE_PATH.equals(request.service().getPath())) {
            // As a real server does; then close, since after a preview the rest of the body would still follow.
            out.write(
                    IcapEncoder.encodeResponse(simple(404, "Service not found").with("Connection", "close")));
            out.flush();
            return false;
        }
        if (part.kind() == IcapRequestDecoder.Kind.PREVIEW_END) {
            out.write(CONTINUE);
            out.flush();
            return true;
        }
        boolean close = request.headers().hasToken("Connection", "close");
        IcapResponse response =
                switch (request.method()) {
                    case "OPTIONS" -> options();
                    case "REQMOD" -> reqmod(part);
                    default -> simple(405, "Method Not Allowed").response();
                };
        out.write(IcapEncoder.encodeResponse(close ? withHeader(response, "Connection", "close") : response));
        out.flush();
        return !close;
    }

    private IcapResponse reqmod(IcapRequestDecoder.Part part) {
        IcapRequest request = part.request();
        if (request.httpRequest() == null) {
            return simple(400, "Bad Request").response();
        }
        int failWith = failure;
        if (failWith != 0) {
            return simple(failWith, failWith == 503 ? "Service Unavailable" : "Failed")
                    .response();
        }
        MockRules.Rule rule = rules.firstMatch(part.body());
        boolean block = rule != null && rule.action() == MockRules.Action.BLOCK;
        recorded.add(new RecordedRequest(request, part.body(), block ? rule.name() : null));
        Delays.pause(delay);
        if (block) {
            return blockPage(rule.name());
        }
        // 204 when the whole body came in the preview ("0; ieof"), or without a preview when the client sent "Allow:
        // 204". After a 100 Continue the mock echoes instead: Squid 5.7 sends "Allow: 204" but fails the
        // transaction ("check failed: !disabled()") on a 204 once it has streamed a body past its own buffer.
        boolean previewed = request.headers().contains("Preview");
        boolean may204 = part.ieof() || (!previewed && request.headers().hasToken("Allow", "204"));
        if (may204) {
            return new IcapResponse(204, "No Content", IcapHeaders.of("ISTag", ISTAG), null, null, new byte[0], false);
        }
        return new IcapResponse(
                200, "OK", IcapHeaders.of("ISTag", ISTAG), request.httpRequest(), null, part.body(), false);
    }

    private static IcapResponse blockPage(String ruleName) {
        String safe = ruleName.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        byte[] page = ("<html><head><title>Blocked</title></head><body><h1>Blocked by DLP</h1><p>Rule: " + safe
                        + "</p></body></html>\n")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponseHead http = new HttpResponseHead(
                "HTTP/1.1",
                403,
                "Forbidden",
                IcapHeaders.of(
                        "Content-Type",
                        "text/html; charset=utf-8",
                        "Content-Length",
                        Integer.toString(page.length),
                        "Connection",
                        "close"));
        IcapHeaders icap =
                IcapHeaders.of("ISTag", ISTAG, "X-Block-Reason", headerSafe(ruleName), "X-Response-Info", "BLOCKED");
        return new IcapResponse(200, "OK", icap, null, http, page, false);
    }

    private static IcapResponse options() {
        IcapHeaders headers = IcapHeaders.of(
                "Methods", "REQMOD",
                "Service", "Plumber ICAP mock",
                "ISTag", ISTAG,
                "Options-TTL", "3600",
                "Allow", "204",
                "Preview", "1024",
                "Transfer-Preview", "*");
        return new IcapResponse(200, "OK", headers, null, null, new byte[0], false);
    }

    private record Simple(IcapResponse response) {
        IcapResponse with(String name, String value) {
            return withHeader(response, name, value);
        }
    }

    private static Simple simple(int status, String reason) {
        return new Simple(
                new IcapResponse(status, reason, IcapHeaders.of("ISTag", ISTAG), null, null, new byte[0], false));
    }

    private static IcapResponse withHeader(IcapResponse r, String name, String value) {
        return new IcapResponse(
                r.status(),
                r.reason(),
                r.headers().with(name, value),
                r.httpRequest(),
                r.httpResponse(),
                r.body(),
                r.bodyTruncated());
    }

    /** Header values are Latin-1 on the wire; anything else becomes '?'. */
    private static String headerSafe(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c >= 32 && c < 256 && c != 127 ? (char) c : '?'));
        return out.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Already closed.
        }
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is best effort.
            }
        }
    }
}

package dev.plumber.transport;

import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapEncoder;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapRequest;
import dev.plumber.icap.IcapResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ICAP client (RFC 3507): pooled persistent connections per address, OPTIONS cached for {@code Options-TTL},
 * REQMOD with preview and a body streamed in chunks while the answer is read. Every call has one time budget, which
 * each chunk of the body the server takes renews ({@link Deadline}); a TLS call is also watched ({@link Watchdog}).
 * It retries only once, on a fresh connection, when a reused one turns out to be stale; any other retry is policy
 * and belongs to the caller.
 */
public final class IcapClient implements AutoCloseable {
    public static final int DEFAULT_PORT = 1344;
    public static final int DEFAULT_TLS_PORT = 11344;
    private static final int CHUNK = 64 * 1024;
    /**
     * The largest preview sent, whatever the server's {@code Preview}: the preview is read into memory before it goes,
     * and a client may send fewer bytes than the server asks for (RFC 3507 §4.5).
     */
    static final int MAX_PREVIEW = 64 * 1024;
    /**
     * The most a request may have to write before its answer and still be written by the calling thread: less than a
     * socket's smallest send buffer (Linux starts it at 16 KiB), which a connection in step has empty, so the write
     * cannot block whatever the server does. Most messages fit, and a writer thread would cost more than their call.
     */
    private static final int WRITE_INLINE_MAX = 8 * 1024;

    private static final Logger log = LoggerFactory.getLogger(IcapClient.class);
    private static final Pattern SECRET_HEADER =
            Pattern.compile("(?im)^((?:proxy-)?authorization|cookie|x-api-key)(:)[^\r\n]*");

    private final ConnectionPool pool;
    private final Clock clock;
    private final boolean wireDebug;
    private final Map<OptionsKey, IcapOptions> optionsCache = new ConcurrentHashMap<>();
    private final Map<OptionsKey, ReentrantLock> optionsFetches = new ConcurrentHashMap<>();
    private final LongAdder bodyBytesSent = new LongAdder();

    private record OptionsKey(URI service, TlsSettings tls) {}

    /**
     * @param maxConnectionsPerAddress the pool cap per ICAP address (busy and idle together); a server that
     *     advertises a smaller {@code Max-Connections} in OPTIONS gets that many
     * @param wireDebug log every request and response head ({@code dlpClient.debug}); bodies are never logged and
     *     credential headers are masked
     */
    public IcapClient(int maxConnectionsPerAddress, Clock clock, boolean wireDebug) {
        this.pool = new ConnectionPool(maxConnectionsPerAddress);
        this.clock = clock;
        this.wireDebug = wireDebug;
    }

    public IcapClient(int maxConnectionsPerAddress, Clock clock) {
        this(maxConnectionsPerAddress, clock, false);
    }

    /** A client with 16 connections per address and the system clock. */
    public IcapClient() {
        this(16, Clock.systemUTC());
    }

    /** The service's OPTIONS answer, from the cache while its {@code Options-TTL} lasts; errors are not cached. */
    public IcapOptions options(URI service, TlsSettings tls, Duration timeout) throws IOException {
        return options(service, tls, Deadline.after(timeout));
    }

    /**
     * Sends one REQMOD and returns the final answer (never a 100). When the service's OPTIONS answer is not 200, that
     * answer is returned instead (e.g. 404 service not found).
     *
     * @param icapHeaders extra ICAP headers ({@code X-Client-IP}, …); {@code Allow} and {@code Preview} are added here
     * @param http the encapsulated request head; its {@code Content-Length} is set from the body
     */
    public IcapResponse reqmod(
            URI service,
            TlsSettings tls,
            IcapHeaders icapHeaders,
            HttpRequestHead http,
            IcapBody body,
            Duration timeout)
            throws IOException {
        Deadline deadline = Deadline.after(timeout);
        IcapOptions options = options(service, tls, deadline);
        if (!options.ok()) {
            return options.response();
        }
        IcapHeaders headers = icapHeaders;
        if (options.allow204()) {
            headers = headers.replacing("Allow", "204");
        }
        Integer preview =
                body.length() == 0 || options.preview() == null ? null : Math.min(options.preview(), MAX_PREVIEW);
        byte[] previewBytes = new byte[0];
        if (preview != null) {
            headers = headers.replacing("Preview", Integer.toString(preview));
            previewBytes = readExactly(body.stream(), (int) Math.min(preview, body.length()));
        }
        byte[] head = IcapEncoder.encodeHead(IcapRequest.reqmod(service, headers, http, body.length()));
        debug(">> ", head, body.length());
        Exchange exchange = new Exchange(head, previewBytes, preview != null, body);
        boolean large = body.length() >= ConnectionPool.LARGE_BODY;
        IcapResponse response = exchange(service, tls, large, deadline, exchange::run, () -> !exchange.bodyTouched);
        forgetOptionsIfServiceChanged(new OptionsKey(service, tls), options, response);
        return response;
    }

    /** A new ISTag means the service changed (RFC 3507 §4.7): its OPTIONS (preview, 204) are fetched again. */
    private void forgetOptionsIfServiceChanged(OptionsKey key, IcapOptions options, IcapResponse response) {
        String tag = response.istag();
        String known = options.response().istag();
        if (tag != null && known != null && !tag.equals(known)) {
            optionsCache.remove(key, options);
        }
    }

    private IcapOptions options(URI service, TlsSettings tls, Deadline deadline) throws IOException {
        OptionsKey key = new OptionsKey(service, tls);
        IcapOptions cached = fresh(optionsCache.get(key));
        if (cached != null) {
            return cached;
        }
        // One fetch per service at a time: callers arriving together wait for it instead of each opening a
        // connection before the server's Max-Connections is known.
        ReentrantLock lock = optionsFetches.computeIfAbsent(key, k -> new ReentrantLock());
        try {
            if (!lock.tryLock(deadline.remainingMillis(), TimeUnit.MILLISECONDS)) {
                throw new IcapTimeoutException("OPTIONS of " + service + " took longer than "
                        + deadline.budget().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IcapTimeoutException("interrupted while waiting for OPTIONS of " + service);
        }
        try {
            cached = fresh(optionsCache.get(key));
            return cached != null ? cached : fetchOptions(key, deadline);
        } finally {
            lock.unlock();
        }
    }

    private IcapOptions fresh(IcapOptions cached) {
        return cached != null && clock.instant().isBefore(cached.expires()) ? cached : null;
    }

    private IcapOptions fetchOptions(OptionsKey key, Deadline deadline) throws IOException {
        URI service = key.service();
        TlsSettings tls = key.tls();
        byte[] head = IcapEncoder.encodeHead(IcapRequest.options(service));
        debug(">> ", head, 0);
        Exchange exchange = new Exchange(head, new byte[0], false, IcapBody.of(new byte[0]));
        IcapResponse response = exchange(service, tls, false, deadline, exchange::run, () -> true);
        IcapOptions options = IcapOptions.from(response, clock.instant());
        if (options.ok()) {
            pool.serverLimit(address(service, tls), options.maxConnections());
            optionsCache.put(key, options);
        } else {
            optionsCache.remove(key);
        }
        return options;
    }

    private interface ExchangeStep {
        Outcome run(IcapConnection connection, Deadline deadline) throws IOException;
    }

    /** @param inStep whether the connection is at a message boundary in both directions */
    private record Outcome(IcapResponse response, boolean inStep) {}

    private IcapResponse exchange(
            URI service,
            TlsSettings tls,
            boolean large,
            Deadline deadline,
            ExchangeStep step,
            BooleanSupplier resendable)
            throws IOException {
        ConnectionPool.Address address = address(service, tls);
        boolean fresh = false;
        while (true) {
            IcapConnection connection = pool.acquire(address, fresh, large, deadline);
            boolean reused = connection.beginExchange();
            Outcome outcome;
            try (Watchdog.Watch watch = connection.secure() ? Watchdog.watch(deadline, connection::abort) : null) {
                try {
                    outcome = step.run(connection, deadline);
                } catch (IOException e) {
                    if (watch != null && watch.fired()) {
                        throw new IcapTimeoutException("ICAP call took longer than "
                                + deadline.budget().toMillis() + " ms");
                    }
                    throw e;
                }
            } catch (Throwable e) {
                // Whatever is thrown, an Error too, the slot goes back and the connection, out of step, is closed.
                pool.release(address, connection, large, false);
                // A reused connection the server had already closed fails before any answer byte; the request is
                // sent again once, on a new connection, if none of the body beyond the buffered preview is gone.
                boolean stale = reused
                        && !connection.bytesSeen()
                        && e instanceof IOException
                        && !(e instanceof IcapTimeoutException)
                        && !(e instanceof BodySourceException)
                        && resendable.getAsBoolean();
                if (stale && !fresh) {
                    fresh = true;
                    continue;
                }
                throw e;
            }
            pool.release(
                    address,
                    connection,
                    large,
                    outcome.inStep() && !outcome.response().closesConnection());
            return outcome.response();
        }
    }

    /** Reads responses until one that is not 100 Continue. */
    private static IcapResponse finalResponse(IcapConnection connection, Deadline deadline) throws IOException {
        while (true) {
            IcapResponse response = connection.readResponse(deadline);
            if (response.status() != 100) {
                return response;
            }
        }
    }

    private static ConnectionPool.Address address(URI service, TlsSettings tls) {
        boolean secure = "icaps".equalsIgnoreCase(service.getScheme());
        if (!secure && !"icap".equalsIgnoreCase(service.getScheme())) {
            throw new IllegalArgumentException("not an icap:// or icaps:// URI: " + service);
        }
        int port = service.getPort() > 0 ? service.getPort() : secure ? DEFAULT_TLS_PORT : DEFAULT_PORT;
        return new ConnectionPool.Address(service.getHost(), port, secure ? tls : null);
    }

    private static byte[] readExactly(InputStream in, int n) throws BodySourceException {
        byte[] bytes;
        try {
            bytes = in.readNBytes(n);
        } catch (IOException e) {
            throw new BodySourceException("reading the body failed: " + e.getMessage(), e);
        }
        if (bytes.length != n) {
            throw new BodySourceException("body ended after " + bytes.length + " bytes, " + n + " announced", null);
        }
        return bytes;
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void debug(String direction, byte[] head, long bodyLength) {
        if (wireDebug) {
            String text = maskSecrets(new String(head, StandardCharsets.ISO_8859_1));
            log.info("ICAP {}{}[body: {} bytes]", direction, text, bodyLength);
        }
    }

    static String maskSecrets(String head) {
        return SECRET_HEADER.matcher(head).replaceAll("$1$2 ****");
    }

    /** Body bytes (previews and the rest of each body, without chunk framing) written so far, resends included. */
    public long bodyBytesSent() {
        return bodyBytesSent.sum();
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * One request on one connection: head and preview, then (after 100 or without preview) the rest of the body; an
     * OPTIONS request is one without a body.
     *
     * <p>A write that could block goes on a virtual thread while the caller reads the answers, each read bounded by
     * the call's deadline: a server may answer before the body is all sent, and one that stops reading must not hold
     * the caller in a blocked write. When the deadline passes the connection is aborted, which ends such a write: the
     * deadline has this one mechanism, for reads and writes alike. Each chunk the writer gets out moves the deadline,
     * and a read that timed out meanwhile waits on. A request that is all written before its answer and
     * fits {@link #WRITE_INLINE_MAX} is written by the caller.
     */
    private final class Exchange {
        private final byte[] head;
        private final byte[] preview;
        private final boolean previewMode;
        private final IcapBody body;
        private volatile boolean bodyTouched;

        Exchange(byte[] head, byte[] preview, boolean previewMode, IcapBody body) {
            this.head = head;
            this.preview = preview;
            this.previewMode = previewMode;
            this.body = body;
        }

        Outcome run(IcapConnection connection, Deadline deadline) throws IOException {
            // After a preview that is not the whole body, the rest waits for the server's 100 Continue.
            boolean restAfterContinue = previewMode && preview.length < body.length();
            if (!previewMode && body.length() > 0) {
                bodyTouched = true;
            } else if (!restAfterContinue && head.length + preview.length <= WRITE_INLINE_MAX) {
                writeHeadAndPreview(connection, false);
                return new Outcome(finalResponse(connection, deadline), true);
            }
            WriterState state = new WriterState();
            Thread writer = Thread.ofVirtual()
                    .name("icap-writer")
                    .start(() -> write(connection, deadline, restAfterContinue, state));
            IcapResponse answer;
            try {
                answer = connection.readResponse(deadline);
                if (answer.status() == 100) {
                    if (restAfterContinue) {
                        bodyTouched = true;
                        state.proceed.complete(true);
                    }
                    answer = finalResponse(connection, deadline);
                }
            } catch (Throwable e) {
                state.proceed.complete(false);
                connection.abort();
                joinQuietly(writer);
                state.rethrowSourceFailure();
                throw e;
            }
            // Without a 100 the rest of a previewed body is never sent: the answer ends the exchange in step.
            state.proceed.complete(false);
            boolean finished;
            try {
                finished = writer.join(Duration.ofMillis(deadline.remainingMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            } catch (IcapTimeoutException e) {
                finished = false;
            }
            if (!finished) {
                // The server answered but stopped reading: the socket is out of step; aborting it ends the writer.
                connection.abort();
            }
            if (state.failure instanceof Error error) {
                throw error;
            }
            return new Outcome(answer, finished && state.failure == null);
        }

        /** Writes the head and the preview, then the rest of the body when it is due. */
        private void write(IcapConnection connection, Deadline deadline, boolean restAfterContinue, WriterState state) {
            try {
                writeHeadAndPreview(connection, restAfterContinue);
                boolean rest = previewMode ? restAfterContinue && state.proceed.join() : body.length() > 0;
                if (rest) {
                    writeChunks(connection, deadline, body.length() - preview.length);
                }
            } catch (Throwable e) {
                state.failure = e;
                if (!(e instanceof IOException) || e instanceof BodySourceException) {
                    // Not the connection's failure, so the server will not end the exchange: wake the reader instead
                    // of letting it wait out the deadline.
                    connection.abort();
                }
            }
        }

        private void writeHeadAndPreview(IcapConnection connection, boolean restAfterContinue) throws IOException {
            connection.out.write(head);
            if (previewMode) {
                if (preview.length > 0) {
                    // With Preview: 0 only the zero chunk goes: an empty chunk would itself end the preview.
                    connection.out.write(IcapEncoder.chunk(preview, 0, preview.length));
                    bodyBytesSent.add(preview.length);
                }
                connection.out.write(restAfterContinue ? IcapEncoder.LAST_CHUNK : IcapEncoder.IEOF_CHUNK);
            }
            connection.out.flush();
        }

        private void writeChunks(IcapConnection connection, Deadline deadline, long rest) throws IOException {
            // The body is read straight into one reused frame and framed in place: a chunk is one write, no copy. A
            // frame is filled before it goes: a download hands over what its socket holds, often a few KiB a read, and
            // a chunk per read cost the gateway a fifth more CPU on a 1 GiB file (3.8-4.3 s against 3.2-3.3).
            int capacity = (int) Math.min(CHUNK, Math.max(1, rest));
            byte[] frame = new byte[IcapEncoder.CHUNK_HEAD_ROOM + capacity + 2];
            long left = rest;
            while (left > 0) {
                int want = (int) Math.min(capacity, left);
                int n = 0;
                while (n < want) {
                    int got;
                    try {
                        got = body.stream().read(frame, IcapEncoder.CHUNK_HEAD_ROOM + n, want - n);
                    } catch (IOException e) {
                        throw new BodySourceException("reading the body failed: " + e.getMessage(), e);
                    }
                    if (got < 0) {
                        throw new BodySourceException(
                                "body ended " + (left - n) + " bytes before its announced length", null);
                    }
                    if (got == 0) {
                        // InputStream.read never returns 0 for a non-empty buffer; a stream that does would spin here.
                        throw new BodySourceException("body stream returned no bytes", null);
                    }
                    n += got;
                }
                int start = IcapEncoder.frameChunk(frame, IcapEncoder.CHUNK_HEAD_ROOM, n);
                connection.out.write(frame, start, IcapEncoder.CHUNK_HEAD_ROOM - start + n + 2);
                deadline.progressed();
                bodyBytesSent.add(n);
                left -= n;
            }
            connection.out.write(IcapEncoder.LAST_CHUNK);
            connection.out.flush();
        }
    }

    /** What the writer of one exchange is told, and what became of it. */
    private static final class WriterState {
        /** True once the rest of a previewed body may go (100 Continue), false when it must not. */
        final CompletableFuture<Boolean> proceed = new CompletableFuture<>();

        volatile Throwable failure;

        /** Throws what the body source threw, rather than the aborted connection the reader saw because of it. */
        void rethrowSourceFailure() throws BodySourceException {
            if (failure instanceof BodySourceException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }
}

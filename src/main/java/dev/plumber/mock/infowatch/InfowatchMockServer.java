package dev.plumber.mock.infowatch;

import dev.plumber.infowatch.thrift.Credentials;
import dev.plumber.infowatch.thrift.DataNotFound;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import dev.plumber.infowatch.thrift.EventData;
import dev.plumber.infowatch.thrift.EventNotFound;
import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.InvalidCredentials;
import dev.plumber.infowatch.thrift.InvalidEventFormat;
import dev.plumber.infowatch.thrift.LicenseError;
import dev.plumber.infowatch.thrift.StreamNotFound;
import dev.plumber.infowatch.thrift.pushapiConstants;
import dev.plumber.mock.Delays;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Traffic Monitor push-API server for tests and trials: TLS, framed binary Thrift, one virtual thread per
 * connection. It checks credentials and validates events ({@link EventChecks}), keeps every accepted event (streams as
 * byte counts and SHA-256, never the bytes) for {@link #takeEvent}, and can be told to fail: refuse credentials,
 * report a licence error, answer slowly, or drop the connection in the middle of a stream. Events begun on a connection
 * that ends are discarded, as an aborted event is.
 */
public final class InfowatchMockServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InfowatchMockServer.class);

    private final ServerSocket server;
    private final MockCertificate certificate;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<RecordedEvent> recorded = new LinkedBlockingQueue<>();
    private final List<RecordedEvent> accepted = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger begun = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private volatile String company;
    private volatile String token;
    private volatile String licenceError;
    private volatile String rejection;
    private volatile Duration delay = Duration.ZERO;
    private final AtomicLong dropAfterBytes = new AtomicLong(-1);
    private volatile boolean closed;

    private InfowatchMockServer(ServerSocket server, MockCertificate certificate, String company, String token) {
        this.server = server;
        this.certificate = certificate;
        this.company = company;
        this.token = token;
    }

    /**
     * Starts listening on all interfaces; port 0 picks a free port.
     *
     * @param company, token the only credentials accepted
     */
    public static InfowatchMockServer start(int port, MockCertificate certificate, String company, String token)
            throws IOException {
        ServerSocket socket =
                certificate.serverContext().getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        InfowatchMockServer mock = new InfowatchMockServer(socket, certificate, company, token);
        Thread.ofVirtual().name("infowatch-mock-accept").start(mock::acceptLoop);
        return mock;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The PEM file a client must trust ({@code caFile}). */
    public java.nio.file.Path caFile() {
        return certificate.caFile();
    }

    /** From now on only these credentials are accepted. */
    public void acceptCredentials(String company, String token) {
        this.company = company;
        this.token = token;
    }

    /** From now on {@code BeginEvent} fails with a LicenseError carrying this message; null stops it. */
    public void licenceError(String message) {
        this.licenceError = message;
    }

    /** From now on {@code BeginEvent} rejects every event with InvalidEventFormat carrying this message; null stops it. */
    public void rejectEvents(String message) {
        this.rejection = message;
    }

    /** Every call waits this long before answering. */
    public void slow(Duration delay) {
        this.delay = delay;
    }

    /** The next stream that reaches this many bytes has its connection dropped (once). */
    public void dropConnectionAfter(long bytes) {
        dropAfterBytes.set(bytes);
    }

    /** The next accepted event, waiting up to {@code timeout}; null when none came. */
    public RecordedEvent takeEvent(Duration timeout) throws InterruptedException {
        return recorded.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every accepted event so far, in order. */
    public List<RecordedEvent> events() {
        return List.copyOf(accepted);
    }

    /** How many events were begun (accepted, aborted or dropped alike). */
    public int begunEvents() {
        return begun.get();
    }

    public int abortedEvents() {
        return aborted.get();
    }

    /** Begun events whose connection ended before EndEvent. */
    public int droppedEvents() {
        return dropped.get();
    }

    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                connections.add(socket);
                connectionsOpened.incrementAndGet();
                Thread.ofVirtual().name("infowatch-mock-conn").start(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("InfoWatch mock stopped accepting: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Session session = new Session(socket);
        try {
            TBinaryProtocol protocol = new TBinaryProtocol(new TFramedTransport(new TSocket(socket)));
            EventProcessor.Processor<Session> processor = new EventProcessor.Processor<>(session);
            while (!closed && !socket.isClosed()) {
                processor.process(protocol, protocol);
            }
        } catch (TException e) {
            if (!closed && !(e instanceof TTransportException t && t.getType() == TTransportException.END_OF_FILE)) {
                log.debug("InfoWatch mock connection ended: {}", e.toString());
            }
        } finally {
            dropped.addAndGet(session.open.size());
            connections.remove(socket);
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is best effort.
            }
        }
    }

    /** An event between BeginEvent and EndEvent. */
    private static final class Pending {
        final Event event;
        final Map<Long, Stream> streams = new HashMap<>();
        final Map<Integer, RecordedEvent.Streamed> done = new TreeMap<>();
        String tmId;

        Pending(Event event) {
            this.event = event;
        }
    }

    private static final class Stream {
        final int dataId;
        final MessageDigest sha256;
        long bytes;

        Stream(int dataId) {
            this.dataId = dataId;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One connection's view of the push API; its events die with it. */
    private final class Session implements EventProcessor.Iface {
        final Socket socket;
        final Map<Long, Pending> open = new HashMap<>();
        final AtomicLong streamIds = new AtomicLong();

        Session(Socket socket) {
            this.socket = socket;
        }

        @Override
        public int GetVersion() {
            pause();
            return pushapiConstants.pushapi_version;
        }

        @Override
        public void VerifyCredentials(Credentials cred) throws InvalidCredentials {
            pause();
            checkCredentials(cred);
        }

        @Override
        public long BeginEvent(Event event, Credentials cred)
                throws InvalidEventFormat, InvalidCredentials, LicenseError {
            pause();
            checkCredentials(cred);
            String licence = licenceError;
            if (licence != null) {
                throw new LicenseError(licence);
            }
            EventChecks.check(event);
            String rejected = rejection;
            if (rejected != null) {
                throw new InvalidEventFormat(rejected);
            }
            long id = ids.incrementAndGet();
            open.put(id, new Pending(event));
            begun.incrementAndGet();
            return id;
        }

        @Override
        public long BeginStream(long eventId, int dataId) throws EventNotFound, DataNotFound {
            pause();
            Pending pending = pending(eventId);
            boolean known = pending.event.getEvt_data().stream().anyMatch(d -> d.getData_id() == dataId)
                    || (pending.event.getEvt_messages() != null
                            && pending.event.getEvt_messages().stream()
                                    .anyMatch(m -> m.isSetMes_data_id() && m.getMes_data_id() == dataId));
            if (!known) {
                throw new DataNotFound("event " + eventId + " has no data " + dataId);
            }
            long id = streamIds.incrementAndGet();
            pending.streams.put(id, new Stream(dataId));
            return id;
        }

        @Override
        public void SendStreamData(long eventId, long streamId, ByteBuffer chunk)
                throws EventNotFound, StreamNotFound, TException {
            pause();
            Stream stream = stream(eventId, streamId);
            int n = chunk.remaining();
            stream.sha256.update(chunk);
            stream.bytes += n;
            long dropAt = dropAfterBytes.get();
            if (dropAt >= 0 && stream.bytes >= dropAt && dropAfterBytes.compareAndSet(dropAt, -1)) {
                log.info("InfoWatch mock: dropping the connection after {} streamed bytes, as told", stream.bytes);
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // It is being dropped anyway.
                }
                throw new TTransportException(TTransportException.END_OF_FILE, "dropped by the mock, as told");
            }
        }

        @Override
        public void EndStream(long eventId, long streamId) throws EventNotFound, StreamNotFound {
            pause();
            Stream stream = stream(eventId, streamId);
            Pending pending = pending(eventId);
            pending.streams.remove(streamId);
            pending.done.put(
                    stream.dataId,
                    new RecordedEvent.Streamed(stream.bytes, HexFormat.of().formatHex(stream.sha256.digest())));
        }

        @Override
        public String GetEventDatabaseId(long eventId) throws EventNotFound {
            pause();
            Pending pending = pending(eventId);
            if (pending.tmId == null) {
                pending.tmId = "TM-" + eventId;
            }
            return pending.tmId;
        }

        @Override
        public void EndEvent(long eventId, boolean abort) throws EventNotFound, InvalidEventFormat, LicenseError {
            pause();
            Pending pending = pending(eventId);
            if (abort) {
                open.remove(eventId);
                aborted.incrementAndGet();
                return;
            }
            if (pending.event.getEvt_class() == EventClass.kFileExchange.getValue()) {
                for (EventData data : pending.event.getEvt_data()) {
                    if (!pending.done.containsKey(data.getData_id())) {
                        throw new InvalidEventFormat("data " + data.getData_id() + " was not streamed");
                    }
                }
            }
            open.remove(eventId);
            String tmId = Objects.requireNonNullElse(pending.tmId, "TM-" + eventId);
            RecordedEvent event = new RecordedEvent(eventId, tmId, pending.event, Map.copyOf(pending.done));
            accepted.add(event);
            recorded.add(event);
        }

        private void checkCredentials(Credentials cred) throws InvalidCredentials {
            if (cred == null
                    || !Objects.equals(cred.getCompany_name(), company)
                    || !Objects.equals(cred.getToken(), token)) {
                throw new InvalidCredentials("unknown company or token");
            }
        }

        private Pending pending(long eventId) throws EventNotFound {
            Pending pending = open.get(eventId);
            if (pending == null) {
                throw new EventNotFound("no open event " + eventId);
            }
            return pending;
        }

        private Stream stream(long eventId, long streamId) throws EventNotFound, StreamNotFound {
            Stream stream = pending(eventId).streams.get(streamId);
            if (stream == null) {
                throw new StreamNotFound("event " + eventId + " has no open stream " + streamId);
            }
            return stream;
        }

        private void pause() {
            Delays.pause(delay);
        }
    }

    /** Closes every open connection, as a server's idle timeout or restart would; it keeps listening. */
    public void closeConnections() {
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is best effort.
            }
        }
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

    /** For the CLI: the settings lines that point the gateway at this mock. */
    public List<String> settingsLines(String host) {
        List<String> lines = new ArrayList<>();
        lines.add("system=infowatch");
        lines.add("address=" + host + ":" + port());
        lines.add("company=" + company);
        lines.add("token=" + token);
        lines.add("imservice=im_VKteams");
        lines.add("caFile=" + caFile());
        return lines;
    }
}

package dev.plumber.infowatch;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.DlpSender;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.files.FileSource;
import dev.plumber.infowatch.thrift.Credentials;
import dev.plumber.infowatch.thrift.DataNotFound;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventNotFound;
import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.InvalidCredentials;
import dev.plumber.infowatch.thrift.InvalidEventFormat;
import dev.plumber.infowatch.thrift.LicenseError;
import dev.plumber.infowatch.thrift.StreamNotFound;
import dev.plumber.settings.DlpSettings;
import dev.plumber.transport.Deadline;
import dev.plumber.transport.TlsSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.transport.TTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to InfoWatch Traffic Monitor over the push API (SPEC §4): {@code BeginEvent}, the file's bytes as a
 * stream of chunks, {@code GetEventDatabaseId}, {@code EndEvent}; any failure after {@code BeginEvent} aborts the
 * event, so Traffic Monitor never keeps half an event. The Traffic Monitor id is the verdict's reference.
 *
 * <p>Failures are classified: refused credentials and licence errors halt sending (see {@link Halt}; the event is
 * retried later), a malformed event is permanent, anything on the wire is transient and drops the connection.
 *
 * <p>One call gets one time budget ({@code dlpClient.timeout}), as an ICAP call does, and each chunk of a file
 * Traffic Monitor takes gives it the whole budget again: a file of any size goes at the server's pace, while a server
 * that drips an answer, or stops answering, fails the call instead of holding its worker.
 */
public final class InfowatchSender implements DlpSender {
    private static final Logger log = LoggerFactory.getLogger(InfowatchSender.class);
    private static final String STAGE_DLP = "dlp";
    private static final String STAGE_FILE = "file";
    /** Frames stay far below Thrift's 16 MB frame limit, and the file is never held whole in memory. */
    static final int CHUNK = 64 * 1024;

    private final PushApiPool pool;
    private final FileSource files;
    private final Duration timeout;
    private final PluginManifest manifest;
    private final Capture capture;
    private final Halt halt;
    private final PushApiWireLog wire;
    private final LongAdder fileBytesSent = new LongAdder();

    /**
     * @param timeout how long one whole call may take ({@code dlpClient.timeout}): connecting, the TLS handshake and
     *     every push-API request of the event, the file's streamed bytes included
     * @param firstBackoff, maxBackoff how long a halt lasts before the next probe, doubling up to the maximum
     */
    public InfowatchSender(
            FileSource files,
            Duration timeout,
            PluginManifest manifest,
            Capture capture,
            Clock clock,
            Duration firstBackoff,
            Duration maxBackoff) {
        this(files, timeout, manifest, capture, clock, firstBackoff, maxBackoff, false);
    }

    /** @param debug log every push-API exchange ({@code dlpClient.debug}; the token is never logged) */
    public InfowatchSender(
            FileSource files,
            Duration timeout,
            PluginManifest manifest,
            Capture capture,
            Clock clock,
            Duration firstBackoff,
            Duration maxBackoff,
            boolean debug) {
        this.wire = new PushApiWireLog(debug);
        this.pool = new PushApiPool(4);
        this.files = files;
        this.timeout = timeout;
        this.manifest = manifest;
        this.capture = capture;
        this.halt = new Halt(clock, firstBackoff, maxBackoff);
    }

    /** The production defaults: the bundled plugin manifest, this host as the capture server, halts of 5 s to 5 min. */
    public static InfowatchSender create(FileSource files, Duration timeout, boolean debug)
            throws PluginManifest.InvalidManifestException {
        return new InfowatchSender(
                files,
                timeout,
                PluginManifest.bundled(),
                Capture.thisHost(),
                Clock.systemUTC(),
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                debug);
    }

    /** Why sending has stopped (refused credentials or licence, a push API too old), or empty. */
    @Override
    public Optional<String> halted() {
        return halt.reason();
    }

    /** The file data streamed so far; a message travels as the event's own fields, not as a body. */
    @Override
    public long bodyBytesSent() {
        return fileBytesSent.sum();
    }

    @Override
    public Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException {
        String refusal = halt.refusal(settings);
        if (refusal != null) {
            throw DeliveryException.transientFailure(STAGE_DLP, refusal, null);
        }
        PushApiEvents mapping = new PushApiEvents(settings.imservice(), manifest.objectHeader(), capture);
        PushApiPool.Address address =
                PushApiPool.Address.parse(settings.address(), new TlsSettings(settings.caFile(), settings.tlsVerify()));
        Credentials credentials = new Credentials();
        credentials.setCompany_name(settings.company());
        credentials.setToken(settings.token());
        return switch (event) {
            case MessageEvent m -> call(address, settings, credentials, mapping.chat(m), null);
            case FileEvent f -> {
                FileSource.OpenFile file = open(f.hash());
                try {
                    long size = file.length() >= 0 ? file.length() : f.size();
                    yield call(address, settings, credentials, mapping.fileExchange(f, size), file);
                } finally {
                    closeQuietly(f.hash(), file);
                }
            }
        };
    }

    /** The event is delivered or failed by now: a file that fails to close must not make it go again. */
    private static void closeQuietly(String hash, FileSource.OpenFile file) {
        try {
            file.close();
        } catch (IOException e) {
            log.debug("closing file {} failed: {}", hash, e.toString());
        }
    }

    private Verdict call(
            PushApiPool.Address address,
            DlpSettings settings,
            Credentials credentials,
            Event event,
            FileSource.OpenFile file)
            throws DeliveryException {
        Deadline deadline = Deadline.after(timeout);
        PushApiConnection connection;
        try {
            connection = pool.acquire(address, deadline);
        } catch (PushApiConnection.IncompatibleVersionException e) {
            throw halt(settings, "InfoWatch " + address + ": " + e.getMessage(), e);
        } catch (IOException | TException e) {
            throw DeliveryException.transientFailure(STAGE_DLP, wireFailure(address, e), e);
        }
        boolean reusable = false;
        try {
            String tmId = deliver(address, connection.client(), event, credentials, file, deadline);
            reusable = true;
            if (halt.reason().isPresent()) {
                log.info("InfoWatch sending resumed: Traffic Monitor accepted an event");
                halt.clear();
            }
            return Verdict.accepted(tmId);
        } catch (InvalidCredentials e) {
            reusable = true;
            throw halt(
                    settings,
                    "Traffic Monitor refused the credentials of company '" + settings.company() + "': "
                            + e.getMessage(),
                    e);
        } catch (LicenseError e) {
            reusable = true;
            throw halt(settings, "Traffic Monitor licence error: " + e.getMessage(), e);
        } catch (InvalidEventFormat e) {
            reusable = true;
            throw DeliveryException.permanent(STAGE_DLP, "Traffic Monitor rejected the event: " + e.getMessage(), e);
        } catch (EventNotFound | DataNotFound | StreamNotFound e) {
            reusable = true;
            throw DeliveryException.transientFailure(STAGE_DLP, "Traffic Monitor lost the event: " + describe(e), e);
        } catch (FileReadException e) {
            reusable = true;
            throw DeliveryException.transientFailure(STAGE_FILE, e.getMessage(), e.getCause());
        } catch (TException e) {
            throw DeliveryException.transientFailure(STAGE_DLP, wireFailure(address, e), e);
        } finally {
            pool.release(address, connection, reusable);
        }
    }

    /** The call flow; on a failure after {@code BeginEvent} the event is aborted while the connection still works. */
    private String deliver(
            PushApiPool.Address address,
            EventProcessor.Client client,
            Event event,
            Credentials credentials,
            FileSource.OpenFile file,
            Deadline deadline)
            throws TException, FileReadException {
        long eventId;
        try {
            eventId = client.BeginEvent(event, credentials);
        } catch (TException | RuntimeException e) {
            wire.failed(address, "BeginEvent", e);
            throw e;
        }
        wire.beginEvent(address, event, credentials.getCompany_name(), eventId);
        try {
            if (file != null) {
                stream(address, client, eventId, file, deadline);
            }
            String tmId = client.GetEventDatabaseId(eventId);
            client.EndEvent(eventId, false);
            wire.ended(address, eventId, tmId);
            return tmId;
        } catch (TException | FileReadException | RuntimeException e) {
            wire.failed(address, "event " + eventId, e);
            // After a broken or garbled exchange the connection is dropped, and the server drops the event with it.
            if (!(e instanceof TTransportException) && !(e instanceof TProtocolException)) {
                abort(client, eventId);
            }
            throw e;
        }
    }

    private void stream(
            PushApiPool.Address address,
            EventProcessor.Client client,
            long eventId,
            FileSource.OpenFile file,
            Deadline deadline)
            throws TException, FileReadException {
        long streamId = client.BeginStream(eventId, PushApiEvents.FILE_DATA_ID);
        byte[] chunk = new byte[CHUNK];
        long sent = 0;
        int chunks = 0;
        while (true) {
            int n;
            try {
                n = file.body().readNBytes(chunk, 0, CHUNK);
            } catch (IOException e) {
                throw new FileReadException("reading the file after " + sent + " bytes: " + e.getMessage(), e);
            }
            if (n == 0) {
                break;
            }
            client.SendStreamData(eventId, streamId, ByteBuffer.wrap(chunk, 0, n));
            deadline.progressed(); // the server took a chunk: the call has its whole time again
            fileBytesSent.add(n);
            sent += n;
            chunks++;
        }
        if (file.length() >= 0 && sent != file.length()) {
            throw new FileReadException(
                    "the file service announced " + file.length() + " bytes but sent " + sent, null);
        }
        client.EndStream(eventId, streamId);
        wire.streamed(address, eventId, streamId, sent, chunks);
    }

    private static void abort(EventProcessor.Client client, long eventId) {
        try {
            client.EndEvent(eventId, true);
        } catch (TException e) {
            log.debug("aborting Traffic Monitor event {} failed: {}", eventId, e.toString());
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

    private DeliveryException halt(DlpSettings settings, String reason, Throwable cause) {
        if (halt.reason().isEmpty()) {
            log.error("InfoWatch sending halted: {}", reason);
        }
        halt.halt(settings, reason);
        return DeliveryException.transientFailure(STAGE_DLP, reason + " (sending halted)", cause);
    }

    /** A broken, garbled or late exchange; one that ran out of the call's time says so, with the budget. */
    private static String wireFailure(PushApiPool.Address address, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PushApiConnection.DeadlineExceededException late) {
                return "InfoWatch " + address + " did not answer within " + format(late.budget())
                        + " (dlpClient.timeout)";
            }
        }
        return "InfoWatch " + address + ": " + describe(e);
    }

    /** A duration as the configuration writes it: 2s, 1500ms. */
    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if ((message == null || message.isBlank()) && cause != null) {
            message = cause.toString();
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The file could not be read to the end; the Traffic Monitor connection itself is fine. */
    private static final class FileReadException extends Exception {
        private static final long serialVersionUID = 1L;

        FileReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

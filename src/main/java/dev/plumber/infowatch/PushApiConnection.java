package dev.plumber.infowatch;

import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.pushapiConstants;
import dev.plumber.transport.Deadline;
import dev.plumber.transport.Watchdog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * One open push-API session: TLS socket, framed transport, binary protocol. The interface version is checked once,
 * when the connection opens. Each DLP call has one {@link Deadline} ({@code dlpClient.timeout}) for everything it
 * does on the connection, opening it included: every read waits at most what is left of it, and the call is watched
 * ({@link Watchdog}), so that neither a server that drips its answer (or a TLS record of it) nor one that stops reading
 * what is written can stretch the call; a connection that runs out of time is closed.
 */
final class PushApiConnection implements AutoCloseable {
    /** Probing costs up to a millisecond; a connection idle for less is rarely stale. */
    private static final long PROBE_AFTER_IDLE_NANOS = 1_000_000_000L;

    /**
     * The largest frame accepted from the server. Its answers are ids, a Traffic Monitor id and exception messages;
     * Thrift's default (about 16 MB) would have a frame that size allocated whole before a byte of it arrives.
     */
    static final int MAX_FRAME = 1024 * 1024;

    private final Socket socket;
    /** The TCP socket under the TLS one: closed first when a call is aborted (see {@link #abort()}). */
    private final Socket tcp;

    private final TFramedTransport transport;
    private final EventProcessor.Client client;
    private volatile long idleSinceNanos = System.nanoTime();
    private volatile Deadline deadline;
    private volatile Watchdog.Watch watch;

    private PushApiConnection(Socket socket, Socket tcp) throws IOException, TException {
        this.socket = socket;
        this.tcp = tcp;
        // The framed transport writes its limit into the configuration it is given: one of its own per connection.
        this.transport = new TFramedTransport(
                new TIOStreamTransport(
                        new TConfiguration(),
                        new BufferedInputStream(new DeadlineInput(socket.getInputStream())),
                        new BufferedOutputStream(new DeadlineOutput(socket.getOutputStream()))),
                MAX_FRAME);
        this.client = new EventProcessor.Client(new TBinaryProtocol(transport));
    }

    /**
     * Connects, handshakes and asks {@code GetVersion}.
     *
     * @param verifyHost whether the server certificate must name {@code host} (off only with tlsVerify=false)
     * @throws IncompatibleVersionException when the server's interface is older than ours
     */
    static PushApiConnection open(String host, int port, SSLSocketFactory tls, boolean verifyHost, Deadline deadline)
            throws IOException, TException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            try {
                plain.connect(new InetSocketAddress(host, port), deadline.remainingMillis(SocketTimeoutException::new));
            } catch (SocketTimeoutException e) {
                throw new DeadlineExceededException(deadline.budget());
            }
            SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
            if (verifyHost) {
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
            }
            PushApiConnection connection = new PushApiConnection(ssl, plain);
            connection.startCall(deadline);
            try {
                ssl.setSoTimeout(deadline.remainingMillis(SocketTimeoutException::new));
                ssl.startHandshake();
                int version = connection.client.GetVersion();
                if (version < pushapiConstants.pushapi_version) {
                    throw new IncompatibleVersionException(version);
                }
                return connection;
            } catch (SocketTimeoutException e) {
                connection.close();
                throw new DeadlineExceededException(deadline.budget());
            } catch (IOException e) {
                connection.close();
                throw connection.lateOr(e);
            } catch (TException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (IOException | TException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * Starts a call on this connection: its reads from now on share the call's deadline, and the call is watched until
     * the connection goes back to the pool or is closed.
     */
    void startCall(Deadline deadline) {
        this.deadline = deadline;
        this.watch = Watchdog.watch(deadline, this::abort);
    }

    /**
     * Closes the connection in the middle of a call that ran out of time. A TLS socket's own close waits for a blocked
     * write to send its close_notify, so the TCP socket under it goes first.
     */
    private void abort() {
        try {
            tcp.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
        close();
    }

    /** The deadline's exception in place of {@code e} when the watchdog aborted the call (e is then a closed socket). */
    private IOException lateOr(IOException e) {
        Watchdog.Watch call = watch;
        return call != null && call.fired() ? new DeadlineExceededException(deadline.budget()) : e;
    }

    EventProcessor.Client client() {
        return client;
    }

    boolean isOpen() {
        return !socket.isClosed() && transport.isOpen();
    }

    /** Marks the moment the connection went back to the pool: its call is over. */
    void markIdle() {
        endWatch();
        idleSinceNanos = System.nanoTime();
    }

    private void endWatch() {
        Watchdog.Watch call = watch;
        if (call != null) {
            call.close();
        }
    }

    /**
     * True when an idle connection may carry another event. After a real idle spell the socket is probed: a server
     * that closed it in the meantime (idle timeout, restart) shows as EOF at once, and any unasked-for byte means
     * the connection is out of step; either way it is not reused.
     */
    boolean reusable() {
        if (!isOpen()) {
            return false;
        }
        if (System.nanoTime() - idleSinceNanos < PROBE_AFTER_IDLE_NANOS) {
            return true;
        }
        try {
            // Straight from the socket: each read of a call sets its own timeout afterwards.
            socket.setSoTimeout(1);
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        endWatch();
        transport.close();
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }

    /**
     * The socket's input as the framed transport reads it: each read waits at most what is left of the call's
     * deadline, and once that is gone the connection is closed, as it is out of step in the middle of an answer.
     */
    private final class DeadlineInput extends InputStream {
        private final InputStream in;

        DeadlineInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Deadline call = deadline;
            try {
                socket.setSoTimeout(call.remainingMillis(SocketTimeoutException::new));
                return in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                PushApiConnection.this.close();
                throw new DeadlineExceededException(call.budget());
            } catch (IOException e) {
                throw lateOr(e);
            }
        }

        /** Closes the connection: the transport closes it this way, on a garbled frame too. */
        @Override
        public void close() throws IOException {
            // Closing TLS waits up to the socket timeout for a byte from the peer; one that stopped answering must
            // not hold the call that gives up on it.
            if (!socket.isClosed()) {
                socket.setSoTimeout(1);
            }
            in.close();
        }
    }

    /** The socket's output as the transport writes it; a write the watchdog ended says that the call ran late. */
    private final class DeadlineOutput extends FilterOutputStream {
        DeadlineOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw lateOr(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw lateOr(e);
            }
        }
    }

    /** The call ran out of its time budget ({@code dlpClient.timeout}); the connection it used is closed. */
    static final class DeadlineExceededException extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        private final Duration budget;

        DeadlineExceededException(Duration budget) {
            super("no answer within " + budget.toMillis() + " ms");
            this.budget = budget;
        }

        Duration budget() {
            return budget;
        }
    }

    /** The server speaks an older push API than this client needs. */
    static final class IncompatibleVersionException extends TException {
        private static final long serialVersionUID = 1L;

        IncompatibleVersionException(int version) {
            super("Traffic Monitor push API version " + version + " is older than the version "
                    + pushapiConstants.pushapi_version + " this client needs");
        }
    }
}

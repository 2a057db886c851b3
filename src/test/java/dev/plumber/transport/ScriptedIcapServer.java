package dev.plumber.transport;

import dev.plumber.icap.IcapRequestDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A fake ICAP server whose every answer comes from a script: for tests of connection handling. */
final class ScriptedIcapServer implements AutoCloseable {

    /** What to do about one decoded part: send bytes, stay silent, close the connection, or misbehave at length. */
    sealed interface Action permits Send, Silent, Close, Run {}

    record Send(String wire) implements Action {}

    record Silent() implements Action {}

    record Close() implements Action {}

    /** Writes whatever it likes for as long as it likes (until the client goes away), then the connection closes. */
    record Run(Behaviour behaviour) implements Action {}

    interface Behaviour {
        void writeTo(OutputStream out) throws IOException, InterruptedException;
    }

    /** Decides the action from the connection's number (from 0) and the part. */
    interface Script {
        Action on(int connection, IcapRequestDecoder.Part part);
    }

    static final String OPTIONS_OK = "ICAP/1.0 200 OK\r\nISTag: \"s1\"\r\nMethods: REQMOD\r\nPreview: 4\r\n"
            + "Allow: 204\r\nOptions-TTL: 60\r\nEncapsulated: null-body=0\r\n\r\n";
    static final String NO_CONTENT = "ICAP/1.0 204 No Content\r\nISTag: \"s1\"\r\n\r\n";
    static final String CONTINUE = "ICAP/1.0 100 Continue\r\n\r\n";

    private final ServerSocket server = new ServerSocket(0);
    private final AtomicInteger connections = new AtomicInteger();
    final List<IcapRequestDecoder.Part> parts = new CopyOnWriteArrayList<>();
    /** Every byte received, on all connections in the order read. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedIcapServer(Script script) throws IOException {
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    int number = connections.getAndIncrement();
                    Thread.ofVirtual().start(() -> serve(socket, number, script));
                }
            } catch (IOException closed) {
                // The test is over.
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    /** What the server has received, as ISO-8859-1 text: its wire bytes, one character each. */
    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void serve(Socket socket, int number, Script script) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            IcapRequestDecoder decoder = new IcapRequestDecoder(64 * 1024 * 1024);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (received) {
                    received.write(buffer, 0, n);
                }
                decoder.feed(buffer, 0, n);
                for (IcapRequestDecoder.Part p = decoder.next(); p != null; p = decoder.next()) {
                    parts.add(p);
                    switch (script.on(number, p)) {
                        case Send send -> {
                            out.write(send.wire().getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                        }
                        case Silent silent -> {}
                        case Close close -> {
                            return;
                        }
                        case Run run -> {
                            run.behaviour().writeTo(out);
                            return;
                        }
                    }
                }
            }
        } catch (Exception e) {
            // The client went away.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}

package dev.plumber.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Finds TCP ports on the loopback interface that are free right now, for servers the tests start. */
public final class FreePorts {
    private FreePorts() {}

    /**
     * Runs {@code launch} (which picks its ports with this class) again, up to three times, when it fails because
     * another process took a port between the check and the bind — likely with several builds on one machine.
     */
    static <T> T retryingPortClashes(Supplier<T> launch) {
        for (int attempt = 1; ; attempt++) {
            try {
                return launch.get();
            } catch (IllegalStateException e) {
                String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                if (attempt == 3 || !message.contains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    /** One free loopback port. */
    public static int one() {
        return take(1)[0];
    }

    /** {@code count} distinct free loopback ports (all held open together while searching, so they differ). */
    public static int[] take(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                // Without SO_REUSEADDR a port in TIME_WAIT would be reported free, then fail to bind.
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nothing to do: the port is released either way.
                }
            }
        }
    }
}

package dev.plumber.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpProxyTest {

    @Test
    void forwardsUntilCutAndAgainAfterRestore() throws IOException {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpProxy proxy = TcpProxy.to("127.0.0.1", echo.getLocalPort())) {
            Thread.ofVirtual().start(() -> serveEcho(echo));

            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                assertThat(roundTrip(client, "ping")).isEqualTo("ping");

                proxy.cut();

                client.setSoTimeout(5000);
                assertThatThrownBy(() -> {
                            client.getOutputStream().write('x');
                            if (client.getInputStream().read() < 0) {
                                throw new IOException("closed");
                            }
                        })
                        .isInstanceOf(IOException.class);
            }
            try (Socket refused = new Socket("127.0.0.1", proxy.port())) {
                refused.setSoTimeout(5000);
                assertThatThrownBy(() -> roundTrip(refused, "nope")).isInstanceOf(IOException.class);
            }

            proxy.restore();
            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                assertThat(roundTrip(client, "again")).isEqualTo("again");
            }
        }
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        byte[] answer = socket.getInputStream().readNBytes(bytes.length);
        if (answer.length < bytes.length) {
            throw new IOException("connection closed");
        }
        return new String(answer, StandardCharsets.UTF_8);
    }

    private static void serveEcho(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException ignored) {
                        // The proxy cut it.
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }
}

package dev.plumber.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdServerIT {

    @Test
    void storesKeysWrittenWithEtcdctl() {
        try (EtcdServer etcd = EtcdServer.launch()) {
            assertThat(etcd.endpoint()).isEqualTo("http://127.0.0.1:" + etcd.clientPort());

            etcd.put("/a/b", "icap:\\/\\/h:1344/request");
            assertThat(etcd.get("/a/b")).isEqualTo("icap:\\/\\/h:1344/request");

            etcd.delete("/a/b");
            assertThat(etcd.get("/a/b")).isNull();
        }
    }

    @Test
    void runsCommandLinesAsAShellWould() {
        try (EtcdServer etcd = EtcdServer.launch()) {
            // Unquoted, the shell turns \/ into /; quoted, the backslashes reach etcd.
            etcd.shell("etcdctl put /k icap:\\/\\/h/request");
            assertThat(etcd.get("/k")).isEqualTo("icap://h/request");
            etcd.shell("etcdctl put /k 'icap:\\/\\/h/request'");
            assertThat(etcd.get("/k")).isEqualTo("icap:\\/\\/h/request");
        }
    }

    @Test
    void keepsDataAndPortAcrossStopAndStart() {
        try (EtcdServer etcd = EtcdServer.launch()) {
            etcd.put("/kept", "yes");
            etcd.stop();
            assertThat(etcd.isRunning()).isFalse();
            assertThat(accepts(etcd.clientPort())).isFalse();
            assertThatThrownBy(() -> etcd.get("/kept")).isInstanceOf(IllegalStateException.class);

            etcd.start();
            assertThat(etcd.get("/kept")).isEqualTo("yes");

            etcd.kill();
            etcd.start();
            assertThat(etcd.get("/kept")).isEqualTo("yes");
        }
    }

    @Test
    void compactsHistory() {
        try (EtcdServer etcd = EtcdServer.launch()) {
            etcd.put("/x", "1");
            etcd.put("/x", "2");
            long revision = etcd.compact();
            assertThat(revision).isGreaterThanOrEqualTo(3);
            assertThat(etcd.get("/x")).isEqualTo("2");
        }
    }

    @Test
    void closeKillsTheServerAndRemovesItsFiles() throws IOException {
        EtcdServer etcd = EtcdServer.launch();
        int port = etcd.clientPort();
        Path directory = etcd.directory();
        assertThat(directory.resolve("data")).isDirectory();
        etcd.close();
        assertThat(accepts(port)).isFalse();
        assertThat(Files.exists(directory)).isFalse();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.EtcdServer;
import dev.plumber.testkit.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdDlpSettingsSourceIT {
    private static final String DEVELOPMENT = "/vars/services/plumber/development/public/service/DLP/";
    private static final EtcdDlpSettingsSource.Backoff FAST =
            EtcdDlpSettingsSource.Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));

    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.launch();
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    @BeforeEach
    void clearKeys() {
        if (!etcd.isRunning()) {
            etcd.start();
        }
        etcd.etcdctl("del", "--prefix", "/vars/services/plumber/");
    }

    @Test
    void readsTheSettingsTheManualsCommandsWrite() {
        // The manual's commands, as printed (with our endpoint): an unquoted \/ reaches etcd as / via the shell...
        etcd.shell("etcdctl put /vars/services/plumber/development/public/service/DLP/system icap");
        etcd.shell("etcdctl put /vars/services/plumber/development/public/service/DLP/address"
                + " icap:\\/\\/90.239.107.151:1344/request");
        try (EtcdDlpSettingsSource source = start("development")) {
            awaitThat(() -> source.current().isPresent(), "settings read");
            assertThat(source.current().orElseThrow().system()).isEqualTo(DlpSystem.ICAP);
            assertThat(source.current().orElseThrow().address()).isEqualTo("icap://90.239.107.151:1344/request");
            assertThat(source.problem()).isNull();
        }
        // ...and one written by a tool that keeps the backslashes works the same.
        etcd.put(DEVELOPMENT + "address", "icap:\\/\\/90.239.107.151:1344/request");
        assertThat(etcd.get(DEVELOPMENT + "address")).isEqualTo("icap:\\/\\/90.239.107.151:1344/request");
        try (EtcdDlpSettingsSource source = start("development")) {
            awaitThat(() -> source.current().isPresent(), "settings read");
            assertThat(source.current().orElseThrow().address()).isEqualTo("icap://90.239.107.151:1344/request");
        }
    }

    @Test
    void laterPrefixesOverrideEarlierOnesKeyByKey() {
        etcd.put("/vars/services/plumber/base/public/service/DLP/system", "icap");
        etcd.put("/vars/services/plumber/base/public/service/DLP/address", "icap://base:1344/request");
        etcd.put("/vars/services/plumber/base/public/service/DLP/userEncoding", "base64");
        etcd.put("/vars/services/plumber/site/public/service/DLP/address", "icap://site:1344/request");
        try (EtcdDlpSettingsSource source = start("base", "site")) {
            awaitThat(() -> source.current().isPresent(), "settings read");
            DlpSettings settings = source.current().orElseThrow();
            assertThat(settings.address()).isEqualTo("icap://site:1344/request");
            assertThat(settings.userEncoding()).isEqualTo(DlpSettings.UserEncoding.BASE64);

            // Removing the override brings the earlier prefix's value back.
            etcd.delete("/vars/services/plumber/site/public/service/DLP/address");
            awaitThat(
                    () -> source.current().orElseThrow().address().equals("icap://base:1344/request"),
                    "override removed");
        }
    }

    @Test
    void appliesALiveChangeAndTellsListeners() throws InterruptedException {
        writeIcap("icap://first:1344/request");
        BlockingQueue<DlpSettings> applied = new LinkedBlockingQueue<>();
        try (EtcdDlpSettingsSource source = startListening(applied, "development")) {
            DlpSettings first = applied.poll(30, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.address()).isEqualTo("icap://first:1344/request");

            etcd.put(DEVELOPMENT + "address", "icap://second:1344/request");

            DlpSettings next = applied.poll(30, TimeUnit.SECONDS);
            assertThat(next).isNotNull();
            assertThat(next.address()).isEqualTo("icap://second:1344/request");
            assertThat(source.current()).contains(next);

            // A key of another service under the same root changes nothing.
            etcd.put("/vars/services/plumber/development/public/service/other", "x");
            etcd.put(DEVELOPMENT + "nested/deeper", "x");
            assertThat(applied.poll(1, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void rejectsAnInvalidChangeAndKeepsTheLastValidSettings() throws InterruptedException {
        writeIcap("icap://good:1344/request");
        BlockingQueue<DlpSettings> applied = new LinkedBlockingQueue<>();
        try (EtcdDlpSettingsSource source = startListening(applied, "development")) {
            assertThat(applied.poll(30, TimeUnit.SECONDS)).as("settings read").isNotNull();

            etcd.put(DEVELOPMENT + "system", "foo");

            awaitThat(() -> source.problem() != null, "change rejected");
            assertThat(source.problem()).contains("'system'").contains("foo").contains("keeping");
            assertThat(source.rejectedChanges()).isEqualTo(1);
            assertThat(source.current().orElseThrow().address()).isEqualTo("icap://good:1344/request");
            assertThat(applied).isEmpty();

            etcd.put(DEVELOPMENT + "system", "icap");
            etcd.put(DEVELOPMENT + "address", "icap://fixed:1344/request");
            assertThat(applied.poll(30, TimeUnit.SECONDS)).isNotNull();
            awaitThat(() -> source.current().orElseThrow().address().equals("icap://fixed:1344/request"), "fixed");
            assertThat(source.problem()).isNull();
        }
    }

    @Test
    void startsWithoutEtcdAndPicksTheSettingsUpWhenItComes() {
        writeIcap("icap://later:1344/request");
        etcd.stop();
        try (EtcdDlpSettingsSource source = start("development")) {
            awaitThat(
                    () -> source.problem() != null && source.problem().contains("cannot read from etcd"),
                    "reported down");
            assertThat(source.current()).isEmpty();
            assertThat(source.connected()).isFalse();

            etcd.start();

            awaitThat(() -> source.current().isPresent(), "settings read once etcd is up");
            assertThat(source.current().orElseThrow().address()).isEqualTo("icap://later:1344/request");
            assertThat(source.problem()).isNull();
            assertThat(source.connected()).isTrue();
        }
    }

    @Test
    void keepsTheSettingsWhileEtcdIsDownAndWatchesAgainAfterItRestarts() {
        writeIcap("icap://before:1344/request");
        try (EtcdDlpSettingsSource source = start("development")) {
            awaitThat(() -> source.current().isPresent(), "settings read");
            awaitWatching(source);

            etcd.stop();
            awaitThat(() -> !source.connected(), "loss noticed");
            assertThat(source.current().orElseThrow().address()).isEqualTo("icap://before:1344/request");
            assertThat(source.problem()).isNull();

            etcd.start();
            etcd.put(DEVELOPMENT + "address", "icap://after:1344/request");

            awaitThat(
                    () -> source.current().orElseThrow().address().equals("icap://after:1344/request"),
                    "change after the restart applied");
        }
    }

    @Test
    void reportsMissingSettingsUntilTheyAreWritten() {
        try (EtcdDlpSettingsSource source = start("development")) {
            awaitThat(() -> source.problem() != null && source.problem().contains("no valid DLP settings"), "empty");
            assertThat(source.problem()).contains(DEVELOPMENT).contains("'system' is required");
            assertThat(source.current()).isEmpty();

            writeIcap("icap://new:1344/request");

            awaitThat(() -> source.current().isPresent(), "settings written");
        }
    }

    @Test
    void reReadsEverythingWhenTheWatchedRevisionWasCompactedAway() {
        writeIcap("icap://one:1344/request");
        try (TcpProxy network = TcpProxy.to("127.0.0.1", etcd.clientPort());
                EtcdDlpSettingsSource source = startAt("http://" + network.address(), "development")) {
            awaitThat(() -> source.current().isPresent(), "settings read");
            awaitWatching(source);

            network.cut();
            awaitThat(() -> !source.connected(), "loss noticed");
            // etcd itself keeps running: the change and the compaction happen while the watch is away.
            etcd.put(DEVELOPMENT + "address", "icap://two:1344/request");
            etcd.put("/vars/services/plumber/unrelated", "x");
            etcd.compact();
            network.restore();

            awaitThat(
                    () -> source.current().orElseThrow().address().equals("icap://two:1344/request"),
                    "change made while the watch was away applied");

            etcd.put(DEVELOPMENT + "address", "icap://three:1344/request");
            awaitThat(
                    () -> source.current().orElseThrow().address().equals("icap://three:1344/request"),
                    "watching again after the re-read");
        }
    }

    @Test
    void noticesTheLossWhenTheNetworkGoesBetweenTheFirstReadAndTheWatch() {
        writeIcap("icap://one:1344/request");
        AtomicBoolean once = new AtomicBoolean();
        try (TcpProxy network = TcpProxy.to("127.0.0.1", etcd.clientPort());
                EtcdDlpSettingsSource source =
                        EtcdDlpSettingsSource.create(config("http://" + network.address(), "development"), FAST)) {
            // Listeners hear of the first read before the watch starts: the cut falls between the two.
            source.addListener(settings -> {
                if (once.compareAndSet(false, true)) {
                    network.cut();
                }
            });
            source.begin();

            awaitThat(() -> source.current().isPresent() && !source.connected(), "loss noticed");
            network.restore();
            etcd.put(DEVELOPMENT + "address", "icap://two:1344/request");
            awaitThat(
                    () -> source.current().orElseThrow().address().equals("icap://two:1344/request"),
                    "watching once the network is back");
            assertThat(source.connected()).isTrue();
        }
    }

    @Test
    void logsInWithTheConfiguredUser() {
        try (EtcdServer secured = EtcdServer.launch()) {
            secured.put(DEVELOPMENT + "system", "icap");
            secured.put(DEVELOPMENT + "address", "icap://secured:1344/request");
            secured.enableAuth("root-secret");
            secured.etcdctl("role", "add", "plumber");
            secured.etcdctl("role", "grant-permission", "plumber", "--prefix=true", "read", "/vars/services/plumber/");
            secured.etcdctl("user", "add", "plumber", "--interactive=false", "--new-user-password=s3cret-pw");
            secured.etcdctl("user", "grant-role", "plumber", "plumber");

            try (EtcdDlpSettingsSource source = EtcdDlpSettingsSource.start(
                    new GatewayConfig.Etcd(
                            List.of(secured.endpoint()),
                            List.of("development"),
                            Duration.ofSeconds(2),
                            "plumber",
                            "s3cret-pw"),
                    FAST)) {
                awaitThat(() -> source.current().isPresent(), "settings read as user plumber");
                secured.put(DEVELOPMENT + "address", "icap://changed:1344/request");
                awaitThat(
                        () -> source.current().orElseThrow().address().equals("icap://changed:1344/request"),
                        "watch allowed for user plumber");
            }

            try (EtcdDlpSettingsSource source = EtcdDlpSettingsSource.start(
                    new GatewayConfig.Etcd(
                            List.of(secured.endpoint()),
                            List.of("development"),
                            Duration.ofSeconds(2),
                            "plumber",
                            "wrong-pw"),
                    FAST)) {
                awaitThat(
                        () -> source.problem() != null && source.problem().contains("cannot read from etcd"),
                        "refused");
                assertThat(source.problem()).contains("authentication failed");
                assertThat(source.problem()).doesNotContain("wrong-pw");
                assertThat(source.current()).isEmpty();
            }
        }
    }

    /**
     * Waits for a change to come through the watch. A loss is noticed by the watch, which is set up a moment after the
     * first read: a network cut before that may go unnoticed while the source retries its watch quietly.
     */
    private static void awaitWatching(EtcdDlpSettingsSource source) {
        etcd.put(DEVELOPMENT + "requestUrl", "http://watched.example/");
        awaitThat(
                () -> "http://watched.example/"
                        .equals(source.current().orElseThrow().requestUrl()),
                "watching");
    }

    private static void writeIcap(String address) {
        etcd.put(DEVELOPMENT + "system", "icap");
        etcd.put(DEVELOPMENT + "address", address);
    }

    private static EtcdDlpSettingsSource start(String... prefixes) {
        return startAt(etcd.endpoint(), prefixes);
    }

    private static EtcdDlpSettingsSource startAt(String endpoint, String... prefixes) {
        return EtcdDlpSettingsSource.start(config(endpoint, prefixes), FAST);
    }

    /**
     * A source whose listener is in place before its first read. Added after {@link #start}, a listener may or may
     * not hear of that read: {@code current()} shows new settings a moment before the listeners hear of them.
     */
    private static EtcdDlpSettingsSource startListening(BlockingQueue<DlpSettings> applied, String... prefixes) {
        EtcdDlpSettingsSource source = EtcdDlpSettingsSource.create(config(etcd.endpoint(), prefixes), FAST);
        source.addListener(applied::add);
        source.begin();
        return source;
    }

    private static GatewayConfig.Etcd config(String endpoint, String... prefixes) {
        return new GatewayConfig.Etcd(List.of(endpoint), List.of(prefixes), Duration.ofSeconds(2), null, null);
    }

    private static void awaitThat(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting: " + what, e);
            }
        }
    }
}

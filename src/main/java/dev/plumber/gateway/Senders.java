package dev.plumber.gateway;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.DlpSender;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.DlpEvent;
import dev.plumber.files.HttpFileSource;
import dev.plumber.infowatch.InfowatchSender;
import dev.plumber.infowatch.PluginManifest;
import dev.plumber.searchinform.SearchInformSender;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.transport.IcapClient;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** The DLP senders of this build, one per system, built from {@code plumber.yml}. */
public final class Senders {
    private Senders() {}

    public static Map<DlpSystem, DlpSender> create(GatewayConfig config) {
        IcapClient icap = new IcapClient(
                config.dlpClient().icapConnections(),
                java.time.Clock.systemUTC(),
                config.dlpClient().debug());
        HttpFileSource files = new HttpFileSource(
                config.files().url(), config.files().token(), config.files().timeout());
        SearchInformSender searchInform =
                new SearchInformSender(icap, files, config.dlpClient().timeout());
        InfowatchSender infowatch;
        try {
            infowatch = InfowatchSender.create(
                    files, config.dlpClient().timeout(), config.dlpClient().debug());
        } catch (PluginManifest.InvalidManifestException e) {
            throw new IllegalStateException("the built-in InfoWatch plugin manifest is invalid: " + e.getMessage(), e);
        }
        // The file source is shared; the ICAP sender closes it.
        return Map.of(DlpSystem.ICAP, new Owning(searchInform, icap, files), DlpSystem.INFOWATCH, infowatch);
    }

    /** A sender that closes the connections it was built on when it is closed. */
    private record Owning(DlpSender sender, AutoCloseable... resources) implements DlpSender {
        @Override
        public Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException {
            return sender.send(event, settings);
        }

        @Override
        public Optional<String> halted() {
            return sender.halted();
        }

        @Override
        public long bodyBytesSent() {
            return sender.bodyBytesSent();
        }

        @Override
        public void close() {
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LoggerFactory.getLogger(Senders.class).warn("closing {} failed: {}", resource, e.toString());
                }
            }
        }
    }
}

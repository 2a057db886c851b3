package dev.plumber.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.mock.icap.IcapMockServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Reconciles what was produced with what the status store decided and what the DLP received: lost events, events the
 * DLP saw more than once, and events of one key that reached the DLP out of order.
 */
final class DeliveryCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The produced messages, by mid: their event id and key. */
    record Produced(String eventId, String chat) {}

    record Report(int produced, int terminal, int lost, int dlpReceipts, int duplicatedAtDlp, int outOfOrder) {
        @Override
        public String toString() {
            return "produced=" + produced + " terminal=" + terminal + " lost=" + lost + " dlpReceipts=" + dlpReceipts
                    + " duplicatedAtDlp=" + duplicatedAtDlp + " outOfOrderPerKey=" + outOfOrder;
        }
    }

    private final Map<Long, Produced> produced = new ConcurrentHashMap<>();
    /** Mids in the order the DLP received them. */
    private final List<Long> receipts = new ArrayList<>();

    void produced(long mid, String eventId, String chat) {
        produced.put(mid, new Produced(eventId, chat));
    }

    /** Moves what the DLP has received so far into this check. */
    synchronized void drain(IcapMockServer dlp) throws Exception {
        IcapMockServer.RecordedRequest request;
        while ((request = dlp.takeRequest(Duration.ZERO)) != null) {
            JsonNode body = JSON.readTree(request.body());
            if (body != null && body.has("mid")) {
                receipts.add(body.get("mid").asLong());
            }
        }
    }

    /** Terminal statuses in the store among the produced events. */
    int terminal(DataSource store) throws Exception {
        Map<String, String> statuses = statuses(store);
        int terminal = 0;
        for (Produced p : produced.values()) {
            String status = statuses.get(p.eventId());
            if (status != null && !List.of("RECEIVED", "SENDING", "RETRYING").contains(status)) {
                terminal++;
            }
        }
        return terminal;
    }

    synchronized Report report(DataSource store) throws Exception {
        int terminal = terminal(store);
        Map<Long, Integer> seen = new HashMap<>();
        Map<String, Long> lastFirstReceiptByChat = new HashMap<>();
        int outOfOrder = 0;
        int receiptsOfOurs = 0;
        for (long mid : receipts) {
            Produced p = produced.get(mid);
            if (p == null) {
                continue; // another run's
            }
            receiptsOfOurs++;
            if (seen.merge(mid, 1, Integer::sum) > 1) {
                continue; // a re-delivery; order is judged on first receipts
            }
            Long previous = lastFirstReceiptByChat.put(p.chat(), mid);
            if (previous != null && previous > mid) {
                outOfOrder++;
            }
        }
        int duplicated = (int) seen.values().stream().filter(n -> n > 1).count();
        return new Report(
                produced.size(), terminal, produced.size() - terminal, receiptsOfOurs, duplicated, outOfOrder);
    }

    /**
     * The partitions of {@code topic} whose committed offset (from {@code committed}, by partition) has passed a
     * record without a terminal status in the store, with how many such records each: offsets may only be committed
     * past decisions that are durable. Every record of the topic is one produced event, so below a committed offset
     * {@code c} there must be exactly {@code c} terminal rows. Read the offsets before calling this: rows only ever
     * become terminal, so a commit checked against later rows cannot look worse than it was.
     */
    static Map<Integer, Long> commitsPastUndecided(DataSource store, String topic, Map<Integer, Long> committed)
            throws Exception {
        Map<Integer, Long> violations = new HashMap<>();
        try (Connection c = store.getConnection();
                var s = c.prepareStatement("SELECT count(DISTINCT kafka_offset) FROM gateway.requests"
                        + " WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset < ?"
                        + " AND status NOT IN ('RECEIVED', 'SENDING', 'RETRYING')")) {
            for (Map.Entry<Integer, Long> e : committed.entrySet()) {
                s.setString(1, topic);
                s.setInt(2, e.getKey());
                s.setLong(3, e.getValue());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long decided = r.getLong(1);
                    if (decided < e.getValue()) {
                        violations.put(e.getKey(), e.getValue() - decided);
                    }
                }
            }
        }
        return violations;
    }

    private static Map<String, String> statuses(DataSource store) throws Exception {
        Map<String, String> statuses = new HashMap<>();
        try (Connection c = store.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT event_id, status FROM gateway.requests")) {
            while (r.next()) {
                statuses.put(r.getString(1), r.getString(2));
            }
        }
        return statuses;
    }
}

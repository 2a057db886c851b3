package dev.plumber.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which word searches the views journal needs: an account's search for some words once per {@code window}, however
 * often it repeats. The requests page's live view repeats its search every 5 seconds; an entry per poll would bury the
 * journal's other entries, while once per window still shows who searched for what and for how long the results
 * stayed open. Deciding on a change of words instead would leave the same search repeated the next day unjournaled.
 * Held in memory: each replica journals on its own, so a search may be journaled once per replica.
 */
final class SearchJournaling {
    private static final int SWEEP_ABOVE = 10_000;

    /** When each (account, words) was last journaled; the words only as a digest, they are message content. */
    private final Map<String, Instant> journaled = new ConcurrentHashMap<>();

    private final Duration window;
    private final Clock clock;

    SearchJournaling(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    /** Whether this search must be journaled now. */
    boolean due(String account, String words) {
        Instant last = journaled.get(key(account, words));
        return last == null || !last.plus(window).isAfter(clock.instant());
    }

    /** Records that this search was journaled; called once the entry is written, so a failed write is retried. */
    void journaled(String account, String words) {
        Instant now = clock.instant();
        if (journaled.size() > SWEEP_ABOVE) {
            journaled.values().removeIf(at -> !at.plus(window).isAfter(now));
        }
        journaled.put(key(account, words), now);
    }

    private static String key(String account, String words) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((account + "\n" + words).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

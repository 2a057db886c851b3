package dev.plumber.core.chats;

import java.time.Instant;

/**
 * A stored message as one reader sees it (text decrypted); {@code dlpStatus} is the gateway's latest status for its
 * latest version, and {@code blocked} means the text is withheld from this reader.
 */
public record Message(
        long mid,
        String sender,
        String text,
        String hash,
        Instant ts,
        boolean edited,
        String dlpStatus,
        String dlpReason,
        boolean blocked) {

    /** A message just sent or edited: no DLP status yet. */
    static Message fresh(long mid, String sender, String text, String hash, Instant ts, boolean edited) {
        return new Message(mid, sender, text, hash, ts, edited, null, null, false);
    }
}

package dev.plumber.event;

import java.time.Instant;
import java.util.UUID;

/** A sent (or edited) chat message; {@code hash} links it to an attached file. */
public record MessageEvent(
        UUID id,
        long mid,
        String sender,
        String chat,
        String chatType,
        String text,
        String hash,
        String parts,
        String ip,
        Instant ts,
        boolean edit)
        implements DlpEvent {

    @Override
    public String key() {
        return chat;
    }

    @Override
    public String fileHash() {
        return hash;
    }
}

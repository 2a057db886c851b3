package dev.plumber.event;

import java.time.Instant;
import java.util.UUID;

/** An uploaded file, identified by its SHA-256 hash. */
public record FileEvent(UUID id, String hash, String name, long size, String mime, String sender, String ip, Instant ts)
        implements DlpEvent {

    @Override
    public String key() {
        return hash;
    }

    @Override
    public String fileHash() {
        return hash;
    }
}

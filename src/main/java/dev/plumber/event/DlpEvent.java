package dev.plumber.event;

import java.time.Instant;
import java.util.UUID;

/** A message or file event on the {@code dlp.requests} topic (SPEC §3). */
public sealed interface DlpEvent permits MessageEvent, FileEvent {

    /** The schema version written into every event. */
    int VERSION = 1;

    UUID id();

    String sender();

    String ip();

    Instant ts();

    /** The Kafka record key: the chat for messages, the file hash for files. */
    String key();

    /** The file hash this event carries or is about, or null. */
    String fileHash();
}

package dev.plumber.core.chats;

import java.time.Instant;

/** A stored message as its chat's members read it (text decrypted). */
public record Message(long mid, String sender, String text, String hash, Instant ts, boolean edited) {}

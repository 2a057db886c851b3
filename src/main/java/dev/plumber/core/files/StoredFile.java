package dev.plumber.core.files;

/** A stored file's metadata; {@code hash} is the lower-case hex SHA-256 of its bytes and names it on disk. */
public record StoredFile(String hash, String name, long size, String mime) {}

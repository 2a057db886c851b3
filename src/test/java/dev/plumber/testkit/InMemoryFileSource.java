package dev.plumber.testkit;

import dev.plumber.files.FileSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A file service in memory: files put by hash; unknown hashes are gone (404). */
public final class InMemoryFileSource implements FileSource {
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    public InMemoryFileSource put(String hash, byte[] bytes) {
        files.put(hash, bytes);
        return this;
    }

    @Override
    public OpenFile open(String hash) throws IOException {
        byte[] bytes = files.get(hash);
        if (bytes == null) {
            throw new FileGoneException("no file " + hash);
        }
        return new OpenFile(bytes.length, new ByteArrayInputStream(bytes));
    }
}

package dev.plumber.transport;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * The body of the encapsulated HTTP request: exactly {@code length} bytes read from {@code stream}, which the client
 * reads once and never holds whole; the caller closes the stream.
 */
public record IcapBody(long length, InputStream stream) {

    public IcapBody {
        if (length < 0) {
            throw new IllegalArgumentException("body length must be known, got " + length);
        }
    }

    public static IcapBody of(byte[] bytes) {
        return new IcapBody(bytes.length, new ByteArrayInputStream(bytes));
    }
}

package dev.plumber.files;

import java.io.IOException;
import java.io.InputStream;

/** Opens a stored file by its hash as a stream, so that no file is ever held whole in memory. */
public interface FileSource {

    /** An open file: its length when known (else -1) and its bytes; the caller closes it. */
    record OpenFile(long length, InputStream body) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * @throws FileGoneException when the file service says the file does not exist (a permanent failure)
     * @throws IOException when the file service cannot be reached or fails (transient)
     */
    OpenFile open(String hash) throws IOException;

    /** The file service answered 404: retrying will not help. */
    final class FileGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        public FileGoneException(String message) {
            super(message);
        }
    }
}

package dev.plumber.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A file service for the benchmark ({@code GET /get/<hash>}) that generates each file's bytes as it sends them, so
 * that a 1 GiB file costs one 64 KiB buffer. A file's length is written in the first 16 hex digits of its hash.
 */
final class FileServer implements AutoCloseable {
    private static final byte[] BLOCK = block();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private FileServer(HttpServer server) {
        this.server = server;
    }

    static FileServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        FileServer files = new FileServer(server);
        server.createContext("/get/", files::serve);
        server.setExecutor(files.threads);
        server.start();
        return files;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A 64-hex-digit hash naming a file of {@code length} bytes; {@code salt} makes it unique. */
    static String hash(long length, UUID salt) {
        return "%016x".formatted(length)
                + HexFormat.of().formatHex(longs(salt.getMostSignificantBits(), salt.getLeastSignificantBits()))
                + "%016x".formatted(salt.getLeastSignificantBits() ^ length);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String hash = exchange.getRequestURI().getPath().substring("/get/".length());
            long length;
            try {
                length = Long.parseLong(hash.substring(0, 16), 16);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
            OutputStream out = exchange.getResponseBody();
            for (long left = length; left > 0; ) {
                int n = (int) Math.min(left, BLOCK.length);
                out.write(BLOCK, 0, n);
                left -= n;
            }
        }
    }

    private static byte[] longs(long a, long b) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (a >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (b >>> (56 - 8 * i));
        }
        return bytes;
    }

    private static byte[] block() {
        byte[] text = "quarterly figures, nothing secret here; ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i += text.length) {
            System.arraycopy(text, 0, block, i, Math.min(text.length, block.length - i));
        }
        return Arrays.copyOf(block, block.length);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
    }
}

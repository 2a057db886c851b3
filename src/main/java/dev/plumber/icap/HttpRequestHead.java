package dev.plumber.icap;

/** The start line and header fields of an HTTP request carried inside ICAP (the {@code req-hdr} section). */
public record HttpRequestHead(String method, String target, String version, IcapHeaders headers) {

    public HttpRequestHead {
        if (method.isEmpty() || target.isEmpty() || !version.startsWith("HTTP/")) {
            throw new IllegalArgumentException("bad HTTP request line: " + method + " " + target + " " + version);
        }
    }

    public static HttpRequestHead of(String method, String target, IcapHeaders headers) {
        return new HttpRequestHead(method, target, "HTTP/1.1", headers);
    }
}

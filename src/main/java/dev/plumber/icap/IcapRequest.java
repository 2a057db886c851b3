package dev.plumber.icap;

import java.net.URI;

/**
 * An ICAP request head: method, service URI, ICAP header fields and, for REQMOD, the encapsulated HTTP request head.
 *
 * @param httpRequest the encapsulated HTTP request head, or null (OPTIONS)
 * @param hasBody whether a chunked encapsulated body follows ({@code req-body}) or not ({@code null-body})
 */
public record IcapRequest(
        String method, URI service, IcapHeaders headers, HttpRequestHead httpRequest, boolean hasBody) {

    public static IcapRequest options(URI service) {
        return new IcapRequest("OPTIONS", service, IcapHeaders.empty(), null, false);
    }

    /**
     * A REQMOD whose HTTP request carries a body of {@code bodyLength} bytes: the HTTP head gets exactly one {@code
     * Content-Length} (any earlier one, or {@code Transfer-Encoding}, is dropped), and an empty body travels as {@code
     * null-body}.
     */
    public static IcapRequest reqmod(URI service, IcapHeaders headers, HttpRequestHead httpRequest, long bodyLength) {
        if (bodyLength < 0) {
            throw new IllegalArgumentException("body length must be known, got " + bodyLength);
        }
        IcapHeaders http = httpRequest
                .headers()
                .without("Transfer-Encoding")
                .replacing("Content-Length", Long.toString(bodyLength));
        HttpRequestHead head =
                new HttpRequestHead(httpRequest.method(), httpRequest.target(), httpRequest.version(), http);
        return new IcapRequest("REQMOD", service, headers, head, bodyLength > 0);
    }
}

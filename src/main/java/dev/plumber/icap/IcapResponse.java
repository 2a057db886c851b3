package dev.plumber.icap;

/**
 * A decoded ICAP response.
 *
 * @param httpRequest the encapsulated (possibly modified) HTTP request ({@code req-hdr}), or null
 * @param httpResponse the encapsulated HTTP response ({@code res-hdr}): the server answered instead of the origin
 * @param body the de-chunked encapsulated body, at most the decoder's body limit
 * @param bodyTruncated true when the body was longer than the limit and the rest was dropped
 */
public record IcapResponse(
        int status,
        String reason,
        IcapHeaders headers,
        HttpRequestHead httpRequest,
        HttpResponseHead httpResponse,
        byte[] body,
        boolean bodyTruncated) {

    public String istag() {
        String tag = headers.first("ISTag");
        if (tag != null && tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            return tag.substring(1, tag.length() - 1);
        }
        return tag;
    }

    /** True when the server asks to close the connection after this response. */
    public boolean closesConnection() {
        return headers.hasToken("Connection", "close");
    }

    @Override
    public String toString() {
        return "ICAP " + status + " " + reason + " " + headers
                + (httpResponse == null ? "" : " res-hdr " + httpResponse)
                + (httpRequest == null ? "" : " req-hdr " + httpRequest);
    }
}

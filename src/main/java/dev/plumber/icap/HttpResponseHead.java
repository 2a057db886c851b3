package dev.plumber.icap;

/** The status line and header fields of an HTTP response carried inside ICAP (the {@code res-hdr} section). */
public record HttpResponseHead(String version, int status, String reason, IcapHeaders headers) {

    /** {@code 403 Forbidden}. */
    public String statusText() {
        return reason.isEmpty() ? Integer.toString(status) : status + " " + reason;
    }
}

package dev.plumber.icap;

/** Bytes that are not valid ICAP; the connection they came on is in an unknown state and must be closed. */
public final class IcapProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public IcapProtocolException(String message) {
        super(message);
    }
}

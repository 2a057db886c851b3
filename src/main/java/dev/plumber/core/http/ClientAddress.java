package dev.plumber.core.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The client's IP for DLP events: the peer's address, or the one a proxy on this host reports. */
final class ClientAddress {
    private ClientAddress() {}

    /**
     * {@code X-Forwarded-For} is believed only from a loopback peer (a proxy on this host), and only its last entry:
     * that is the address the proxy itself saw; earlier entries are whatever the client chose to send.
     */
    static String of(String remoteAddress, String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank() || !isLoopback(remoteAddress)) {
            return remoteAddress;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!hop.isEmpty()) {
                return hop;
            }
        }
        return remoteAddress;
    }

    private static boolean isLoopback(String address) {
        if (address == null || address.isEmpty() || !(address.contains(":") || Character.isDigit(address.charAt(0)))) {
            return false;
        }
        try {
            // A literal address: getByName does not resolve names for literals.
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

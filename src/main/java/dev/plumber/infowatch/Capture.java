package dev.plumber.infowatch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The capturing server every event names in its mandatory {@code capture_server_ip} and {@code capture_server_fqdn}
 * attributes: the host the gateway runs on.
 */
public record Capture(String serverIp, String serverFqdn) {

    /** This host's address and canonical name; loopback values when the host cannot resolve its own name. */
    public static Capture thisHost() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            return new Capture(local.getHostAddress(), local.getCanonicalHostName());
        } catch (UnknownHostException e) {
            return new Capture("127.0.0.1", "localhost");
        }
    }
}

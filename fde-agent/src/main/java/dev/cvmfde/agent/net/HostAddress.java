package dev.cvmfde.agent.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** One usable address of this machine and the interface it is on. */
public record HostAddress(String interfaceName, InetAddress address) {
    public HostAddress {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(address, "address");
    }

    /** {@code 10.0.2.15:7220} or {@code [fd00::15]:7220} (no scope id, no host name lookup). */
    public String withPort(int port) {
        String host = address.getHostAddress();
        if (address instanceof Inet6Address) {
            int scope = host.indexOf('%');
            return "[" + (scope < 0 ? host : host.substring(0, scope)) + "]:" + port;
        }
        return host + ":" + port;
    }
}

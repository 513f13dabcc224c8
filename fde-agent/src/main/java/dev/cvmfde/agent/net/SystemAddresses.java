package dev.cvmfde.agent.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The addresses of every interface that is up, from {@link NetworkInterface}: no interface name
 * is assumed. Loopback, link-local (169.254/16, fe80::/10 — present before DHCP finished) and
 * wildcard addresses do not count: a verifier cannot reach the guest through them.
 */
public final class SystemAddresses implements AddressSource {

    @Override
    public List<HostAddress> addresses() throws IOException {
        List<HostAddress> out = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (usable(a)) {
                    out.add(new HostAddress(nic.getName(), a));
                }
            }
        }
        out.sort(Comparator.comparing(HostAddress::interfaceName)
                .thenComparing(h -> h.address() instanceof java.net.Inet6Address)
                .thenComparing(h -> h.address().getHostAddress()));
        return out;
    }

    static boolean usable(InetAddress a) {
        return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress() && !a.isMulticastAddress();
    }
}

package dev.cvmfde.client.cli;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/** {@code HOST[:PORT]} or {@code [IPv6][:PORT]}; the port defaults to virtCCA's 7220. */
final class GuestAddress {
    static final int DEFAULT_PORT = 7220;
    private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+))(?::(\\d{1,5}))?");

    private GuestAddress() {
    }

    static InetSocketAddress parse(String value, CommandSpec spec) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw ExitCodes.usage(spec, "--server is '" + value + "'; HOST:PORT is required (e.g. 192.168.122.50:7220,"
                    + " [fd00::5]:7220)");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        int port = m.group(3) == null ? DEFAULT_PORT : Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw ExitCodes.usage(spec, "--server port is " + port + "; 1 to 65535 is allowed");
        }
        return new InetSocketAddress(host, port);
    }
}

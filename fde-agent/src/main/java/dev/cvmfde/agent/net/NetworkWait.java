package dev.cvmfde.agent.net;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Waits, with a bounded number of polls, until the address source reports a usable address
 * (dracut's {@code ip=dhcp}/{@code rd.neednet=1} brings DHCP up; the agent only waits for it).
 */
public final class NetworkWait {
    /** How often the addresses are polled. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    private NetworkWait() {
    }

    /**
     * The usable addresses (only those on {@code interfaceName} when given), as soon as there is
     * one; empty when {@code timeout} passed without any.
     */
    public static List<HostAddress> await(AddressSource source, Optional<String> interfaceName, Duration timeout,
                                          Duration pollInterval) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<HostAddress> found = current(source, interfaceName);
            if (!found.isEmpty()) {
                return found;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            Thread.sleep(Duration.ofNanos(Math.min(left, pollInterval.toNanos())));
        }
    }

    /** One poll; an enumeration error counts as "no address yet". */
    public static List<HostAddress> current(AddressSource source, Optional<String> interfaceName) {
        try {
            return source.addresses().stream()
                    .filter(h -> interfaceName.isEmpty() || interfaceName.get().equals(h.interfaceName()))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

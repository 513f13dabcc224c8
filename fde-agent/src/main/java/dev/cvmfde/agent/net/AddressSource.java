package dev.cvmfde.agent.net;

import java.io.IOException;
import java.util.List;

/** Where the agent learns this machine's addresses: {@link SystemAddresses} at boot, a fake in tests. */
@FunctionalInterface
public interface AddressSource {
    /** The usable addresses right now (possibly none). */
    List<HostAddress> addresses() throws IOException;
}

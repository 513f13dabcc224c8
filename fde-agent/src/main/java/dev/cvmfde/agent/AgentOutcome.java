package dev.cvmfde.agent;

import java.net.SocketAddress;

/** How a boot-time run of the agent ended; the CLI maps each to its exit status ({@link #exitStatus()}). */
public sealed interface AgentOutcome {
    /** Exit status: the root volume is open. */
    int UNLOCKED = 0;
    /** Exit status: configuration, verifier key, provider or another error before waiting. */
    int ERROR = 1;
    /** Exit status: no verifier released a working key within {@code verifierGiveUp}. */
    int NO_VERIFIER = 4;
    /** Exit status: no usable network address within {@code networkTimeout}. */
    int NO_NETWORK = 5;
    /** Exit status: no (or more than one) block device carries the configured LUKS UUID. */
    int NO_ROOT_DEVICE = 6;
    /**
     * Exit status: the root volume's LUKS header is not the one the image builder recorded
     * (shape, cipher_null, extra keyslots/segments/tokens), or the volume key it yields is not.
     */
    int HEADER_REFUSED = 7;

    int exitStatus();

    record Unlocked(String detail, SocketAddress verifier) implements AgentOutcome {
        public int exitStatus() {
            return UNLOCKED;
        }
    }

    record NoVerifier(String message) implements AgentOutcome {
        public int exitStatus() {
            return NO_VERIFIER;
        }
    }

    record NoNetwork(String message) implements AgentOutcome {
        public int exitStatus() {
            return NO_NETWORK;
        }
    }

    record NoRootDevice(String message) implements AgentOutcome {
        public int exitStatus() {
            return NO_ROOT_DEVICE;
        }
    }

    record HeaderRefused(String message) implements AgentOutcome {
        public int exitStatus() {
            return HEADER_REFUSED;
        }
    }

    record Failed(String message) implements AgentOutcome {
        public int exitStatus() {
            return ERROR;
        }
    }
}

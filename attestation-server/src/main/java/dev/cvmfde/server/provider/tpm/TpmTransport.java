package dev.cvmfde.server.provider.tpm;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Carries one TPM 2.0 command and its response: {@code /dev/tpmrm0} in a guest, swtpm's TCP
 * command port (TCG/mssim framing) in tests. A transport is one TPM session context: with
 * {@code /dev/tpmrm0} the kernel flushes this transport's transient objects when it is closed.
 */
public interface TpmTransport extends Closeable {
    /** Largest command or response (TPM 2.0 Part 2: MAX_COMMAND_SIZE/MAX_RESPONSE_SIZE are 4096 on PC TPMs). */
    int MAX_MESSAGE_BYTES = 8192;

    /** Sends {@code command} (a complete TPM command) and returns the complete response. */
    byte[] transact(byte[] command) throws IOException;

    /**
     * Opens {@code spec}: {@code tcp:HOST:PORT} for swtpm's TCP command port, else a device path
     * such as {@code /dev/tpmrm0}.
     */
    static TpmTransport open(String spec) throws IOException {
        if (spec.startsWith("tcp:")) {
            String rest = spec.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon < 1) {
                throw new IOException("TPM address " + spec + ": tcp:HOST:PORT is required");
            }
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IOException("TPM address " + spec + ": the port is not a number");
            }
            return MssimTransport.connect(new InetSocketAddress(rest.substring(0, colon), port));
        }
        return DeviceTransport.open(java.nio.file.Path.of(spec));
    }
}

package dev.cvmfde.server.provider.tpm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The kernel's TPM character device ({@code /dev/tpmrm0}): one write of the whole command, one
 * read of the whole response (the driver's contract).
 */
final class DeviceTransport implements TpmTransport {
    private final FileChannel channel;
    private final Path device;

    private DeviceTransport(FileChannel channel, Path device) {
        this.channel = channel;
        this.device = device;
    }

    static DeviceTransport open(Path device) throws IOException {
        return new DeviceTransport(FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE), device);
    }

    @Override
    public byte[] transact(byte[] command) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(command);
        while (out.hasRemaining()) {
            if (channel.write(out) <= 0) {
                throw new IOException(device + ": the TPM accepted no bytes of the command");
            }
        }
        ByteBuffer in = ByteBuffer.allocate(MAX_MESSAGE_BYTES);
        int n = channel.read(in);
        if (n < 10) {
            throw new IOException(device + ": response of " + n + " bytes; a TPM response has at least 10");
        }
        return Arrays.copyOf(in.array(), n);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package dev.cvmfde.server.provider.tpm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * swtpm's (and the TCG reference simulator's) TCP command port: {@code TPM_SEND_COMMAND} (8),
 * locality, u32 length, command; answered by u32 length, response, u32 0. For tests and
 * development on the host, never in a guest.
 */
final class MssimTransport implements TpmTransport {
    private static final int TPM_SEND_COMMAND = 8;
    /** Per-read timeout: a TPM answers in well under this. */
    private static final int TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private MssimTransport(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    static MssimTransport connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, TIMEOUT_MILLIS);
            return new MssimTransport(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public byte[] transact(byte[] command) throws IOException {
        out.writeInt(TPM_SEND_COMMAND);
        out.writeByte(0);
        out.writeInt(command.length);
        out.write(command);
        out.flush();
        int length = in.readInt();
        if (length < 10 || length > MAX_MESSAGE_BYTES) {
            throw new IOException("TPM simulator: response length " + length + "; 10 to " + MAX_MESSAGE_BYTES
                    + " are allowed");
        }
        byte[] response = in.readNBytes(length);
        if (response.length != length) {
            throw new IOException("TPM simulator: connection closed in the middle of a response");
        }
        int ack = in.readInt();
        if (ack != 0) {
            throw new IOException("TPM simulator: command acknowledgement " + ack + "; 0 was expected");
        }
        return response;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.cvmfde.server.pull.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection to the broker, kept alive for the two requests of an exchange. Just
 * enough HTTP for the broker's answers (status line, headers, a {@code Content-Length} body), each
 * part bounded; java.base only, so the guest runtime needs no extra JDK module. Blocking, with a
 * connect and read timeout.
 */
public final class BrokerConnection implements AutoCloseable {
    public static final int MAX_STATUS_LINE_BYTES = 1024;
    public static final int MAX_HEADER_BYTES = 8 * 1024;

    /** One answer: status, body, the {@code Retry-After} seconds if any, and whether the broker closes. */
    public record Response(int status, byte[] body, OptionalInt retryAfterSeconds, boolean closes) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;
    private boolean closed;

    private BrokerConnection(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.host = host;
    }

    /** Connects to {@code broker} ({@code http://} or {@code https://} with the JDK's default trust). */
    public static BrokerConnection open(URI broker, Duration timeout) throws IOException {
        boolean tls = "https".equals(broker.getScheme());
        int port = broker.getPort() > 0 ? broker.getPort() : tls ? 443 : 80;
        Socket socket = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        try {
            socket.connect(new InetSocketAddress(broker.getHost(), port), Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.setTcpNoDelay(true);
            return new BrokerConnection(socket, broker.getHost() + ":" + port);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether the broker said it closes this connection (a new one is needed for the next request). */
    public boolean closed() {
        return closed;
    }

    /** POSTs {@code body} to {@code path}; an answer body over {@code maxBodyBytes} is an error. */
    public Response post(String path, Map<String, String> headers, byte[] body, int maxBodyBytes) throws IOException {
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return read(maxBodyBytes);
    }

    private Response read(int maxBodyBytes) throws IOException {
        String status = line(MAX_STATUS_LINE_BYTES);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("broker: not an HTTP/1.x status line");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("broker: bad status code");
        }
        long length = -1;
        OptionalInt retryAfter = OptionalInt.empty();
        boolean closes = false;
        int headerBytes = 0;
        for (String h = line(MAX_HEADER_BYTES); !h.isEmpty(); h = line(MAX_HEADER_BYTES)) {
            headerBytes += h.length() + 2;
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("broker: headers longer than " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            try {
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "retry-after" -> retryAfter = OptionalInt.of(Math.clamp(Long.parseLong(value), 0, 3600));
                    case "connection" -> closes = value.equalsIgnoreCase("close");
                    case "transfer-encoding" -> throw new IOException("broker: chunked answers are not read");
                    default -> {
                    }
                }
            } catch (NumberFormatException e) {
                throw new IOException("broker: bad " + name + " header");
            }
        }
        if (length < 0 || length > maxBodyBytes) {
            throw new IOException("broker: answer body of " + length + " bytes; a Content-Length up to " + maxBodyBytes
                    + " is required");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new IOException("broker: connection closed inside the answer body");
        }
        closed = closes;
        return new Response(code, body, retryAfter, closes);
    }

    private String line(int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("broker: connection closed before the answer");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= max) {
                throw new IOException("broker: a header line longer than " + max + " bytes");
            }
            line.write(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing was pending on it
        }
    }
}

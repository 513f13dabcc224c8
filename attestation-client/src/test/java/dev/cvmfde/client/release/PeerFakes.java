package dev.cvmfde.client.release;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Network fakes at the true edge (real sockets on 127.0.0.1): a fake guest that runs a script per
 * connection, and a relay between client and guest that records, drops, or rewrites the evidence.
 */
final class PeerFakes {
    private PeerFakes() {
    }

    /** What a fake guest or relay does with one connection. */
    @FunctionalInterface
    interface Script {
        void run(Socket client) throws Exception;
    }

    /** A listener on 127.0.0.1 running {@code script} for each connection on its own thread. */
    static final class Listener implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final List<Message> verdicts = Collections.synchronizedList(new ArrayList<>());
        private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());

        Listener(Script script) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        open.add(s);
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s) {
                                script.run(s);
                            } catch (Exception ignored) {
                                // The client closing on us is part of most scripts.
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /** A fake guest: reads the request, sends {@code evidence}, records the verdict it receives. */
    static Listener replaying(Evidence evidence) throws IOException {
        Listener[] self = new Listener[1];
        self[0] = new Listener(s -> {
            new FrameReader(s.getInputStream()).read(Expect.GUEST_AWAITING_REQUEST);
            new FrameWriter(s.getOutputStream()).write(evidence);
            self[0].verdicts.add(new FrameReader(s.getInputStream()).read(Expect.GUEST_AWAITING_VERDICT));
        });
        return self[0];
    }

    /** A fake guest: reads the request and answers with {@code bytes} (raw, whatever they are), then waits. */
    static Listener answering(byte[] bytes) throws IOException {
        return new Listener(s -> {
            new FrameReader(s.getInputStream()).read(Expect.GUEST_AWAITING_REQUEST);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            s.getInputStream().read();
        });
    }

    /** A relay to {@code upstream} that copies both ways and records every byte it saw. */
    static Listener recording(InetSocketAddress upstream, ByteArrayOutputStream seen) throws IOException {
        return new Listener(client -> {
            try (Socket guest = new Socket(upstream.getAddress(), upstream.getPort())) {
                Thread back = Thread.ofPlatform().daemon().start(() -> pump(guest, client, seen));
                pump(client, guest, seen);
                back.join(10_000);
            }
        });
    }

    /** A relay that closes the first {@code drops} connections at once (QEMU before the guest listens), then relays. */
    static Listener droppingFirst(int drops, InetSocketAddress upstream) throws IOException {
        AtomicInteger seen = new AtomicInteger();
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        return new Listener(client -> {
            if (seen.incrementAndGet() <= drops) {
                return;
            }
            try (Socket guest = new Socket(upstream.getAddress(), upstream.getPort())) {
                Thread back = Thread.ofPlatform().daemon().start(() -> pump(guest, client, ignored));
                pump(client, guest, ignored);
                back.join(10_000);
            }
        });
    }

    /**
     * A relay that replaces the ephemeral key in the guest's evidence with its own (hoping to get
     * the key sealed to it) and records the verdict the client sends.
     */
    static Listener swappingEphemeralKey(InetSocketAddress upstream) throws IOException {
        ECKey attacker = EphemeralKeys.generate();
        Listener[] self = new Listener[1];
        self[0] = new Listener(client -> {
            try (Socket guest = new Socket(upstream.getAddress(), upstream.getPort())) {
                FrameWriter toGuest = new FrameWriter(guest.getOutputStream());
                FrameWriter toClient = new FrameWriter(client.getOutputStream());
                toGuest.write(new FrameReader(client.getInputStream()).read(Expect.GUEST_AWAITING_REQUEST));
                Evidence real = (Evidence) new FrameReader(guest.getInputStream()).read(Expect.HOST_AWAITING_EVIDENCE);
                toClient.write(new Evidence(real.token(), real.eventLog(), real.certChain(), attacker.toPublicJWK(),
                        real.provider()));
                Message verdict = new FrameReader(client.getInputStream()).read(Expect.GUEST_AWAITING_VERDICT);
                self[0].verdicts.add(verdict);
            }
        });
        return self[0];
    }

    /** A relay that records only what the client sends towards the guest (what whoever answers there learns). */
    static Listener recordingToGuest(InetSocketAddress upstream, ByteArrayOutputStream toGuest) throws IOException {
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        return new Listener(client -> {
            try (Socket guest = new Socket(upstream.getAddress(), upstream.getPort())) {
                Thread back = Thread.ofPlatform().daemon().start(() -> pump(guest, client, ignored));
                pump(client, guest, toGuest);
                back.join(10_000);
            }
        });
    }

    /** A relay that passes the exchange through but drops the guest's ack and closes. */
    static Listener droppingAck(InetSocketAddress upstream) throws IOException {
        return rewritingAck(upstream, ack -> Optional.empty());
    }

    /** A relay that replaces the guest's ack with its own {@code unlocked: true} (nothing authenticates an ack). */
    static Listener forgingAck(InetSocketAddress upstream, String detail) throws IOException {
        return rewritingAck(upstream, ack -> Optional.of(new Ack(true, detail)));
    }

    private static Listener rewritingAck(InetSocketAddress upstream, Function<Ack, Optional<Ack>> rewrite)
            throws IOException {
        return new Listener(client -> {
            try (Socket guest = new Socket(upstream.getAddress(), upstream.getPort())) {
                FrameReader fromClient = new FrameReader(client.getInputStream());
                FrameReader fromGuest = new FrameReader(guest.getInputStream());
                FrameWriter toClient = new FrameWriter(client.getOutputStream());
                FrameWriter toGuest = new FrameWriter(guest.getOutputStream());
                toGuest.write(fromClient.read(Expect.GUEST_AWAITING_REQUEST));
                toClient.write(fromGuest.read(Expect.HOST_AWAITING_EVIDENCE));
                toGuest.write(fromClient.read(Expect.GUEST_AWAITING_VERDICT));
                Optional<Ack> replaced = rewrite.apply((Ack) fromGuest.read(Expect.HOST_AWAITING_ACK));
                if (replaced.isPresent()) {
                    toClient.write(replaced.get());
                }
            }
        });
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0;) {
                synchronized (record) {
                    record.write(buffer, 0, n);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException closed) {
            // One side went away: the relay ends.
        }
    }
}

package dev.cvmfde.client.broker;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.server.provider.RawEvidence;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import dev.cvmfde.server.pull.PullClient;
import dev.cvmfde.server.pull.PullOutcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java side of {@code bench/broker-release} and {@code bench/pull-fetch} (not a unit test).
 * <ul>
 * <li>{@code broker DIR SECONDS CONCURRENCY}: a real {@code serve} child over a directory store;
 *     64 (nonce, evidence) pairs are made first (the simulated TEE's cost is the guests', not the
 *     broker's), then CONCURRENCY threads post releases, one connection each (as a booting guest
 *     does), for SECONDS: every one is a full appraisal, unwrap, seal and fsynced audit record.
 *     Prints {@code ops_per_s=…}.</li>
 * <li>{@code tang HOST PORT KID JWK SECONDS CONCURRENCY}: the same load against tangd's recovery
 *     endpoint ({@code POST /rec/KID} with a client JWK: one ECMR exchange per request, a tangd
 *     process per connection as socket activation runs it). Prints {@code ops_per_s=…}.</li>
 * <li>{@code serve DIR}: a broker child for {@code bench/pull-fetch}; prints its port and the files
 *     a guest needs, then waits.</li>
 * <li>{@code fetch URL IMAGE IDENTITY LOG PINNED}: one guest boot's fetch in a fresh JVM: {@code
 *     PullClient.prepare()} (what the agent does while the network comes up), then the fetch; prints
 *     {@code network_up_to_key_ms=…} and {@code jvm_start_to_key_ms=…}.</li>
 * </ul>
 */
public final class BrokerReleaseBench {
    private BrokerReleaseBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "broker" -> broker(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "tang" -> tang(args[1], Integer.parseInt(args[2]), args[3], Files.readString(Path.of(args[4])).strip(),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), Long.parseLong(args[7]));
            case "serve" -> serve(Path.of(args[1]));
            case "fetch" -> fetch(args[1], args[2], Path.of(args[3]), Path.of(args[4]), Path.of(args[5]));
            default -> throw new IllegalArgumentException("broker | tang | serve | fetch");
        }
    }

    private static void broker(Path dir, int seconds, int concurrency) throws Exception {
        BrokerFixture f = new BrokerFixture(dir, 1);
        String id = f.keys.keySet().iterator().next();
        // as many appraisal threads as client connections: tangd runs a process per connection, and on
        // a shared machine the scheduler gives each runnable thread its share
        try (var child = f.startChild(List.of("-Xmx512m", "-XX:+UseSerialGC"), dir.resolve("broker.log"),
                "--nonce-lifetime", "600", "--max-connections-per-source", "4096",
                "--appraisal-threads", String.valueOf(concurrency))) {
            int port = child.address().getPort();
            SimulatedProvider provider = f.guest.provider();
            List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                byte[] body = ("{\"imageId\":\"" + id + "\"}").getBytes(StandardCharsets.US_ASCII);
                byte[] answer = post("127.0.0.1", port, Broker.CHALLENGE_PATH, "", body).body();
                byte[] nonce = ((EvidenceRequest) MessageJson.decode(answer, Expect.GUEST_AWAITING_REQUEST)).nonce();
                ECKey key = EphemeralKeys.generate();
                RawEvidence raw = provider.collect(ChallengeBinding.challenge(nonce, key.toPublicJWK()));
                byte[] evidence = MessageJson.encode(new Evidence(raw.token(), raw.eventLog(), raw.certificateChain(),
                        key.toPublicJWK(), "simulated"));
                String headers = Broker.IMAGE_ID_HEADER + ": " + id + "\r\n" + Broker.NONCE_HEADER + ": "
                        + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + "\r\n";
                requests.add(request("127.0.0.1", port, Broker.RELEASE_PATH, headers, evidence));
            }
            long pid = child.process().pid();
            System.out.println("ops_per_s=" + load("127.0.0.1", port, requests, seconds, concurrency,
                    () -> cpuTicks(pid, false)));
        }
    }

    /** {@code socatPid}: its reaped children (the tangd processes) are counted in its {@code cutime/cstime}. */
    private static void tang(String host, int port, String kid, String jwk, int seconds, int concurrency, long socatPid)
            throws Exception {
        byte[] req = request(host, port, "/rec/" + kid, "Content-Type: application/jwk+json\r\n",
                jwk.getBytes(StandardCharsets.US_ASCII));
        System.out.println("ops_per_s=" + load(host, port, List.of(req), seconds, concurrency,
                () -> cpuTicks(socatPid, true)));
    }

    /** utime + stime (+ cutime + cstime: reaped children) of {@code pid}, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return children ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** 2 s of warm-up, then {@code seconds} of measured load; only 200 answers count. */
    private static String load(String host, int port, List<byte[]> requests, int seconds, int concurrency,
            java.util.function.LongSupplier cpuTicks) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int first = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = first; System.nanoTime() < end; i += concurrency) {
                    boolean measured = System.nanoTime() > warmEnd;
                    try {
                        int status = send(host, port, requests.get(i % requests.size())).status();
                        if (measured) {
                            (status == 200 ? ok : failed).incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (measured) {
                            failed.incrementAndGet();
                        }
                    }
                }
            }));
        }
        Thread.sleep(Math.max(0, (warmEnd - System.nanoTime()) / 1_000_000));
        long cpu0 = cpuTicks.getAsLong();
        Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        long cpu1 = cpuTicks.getAsLong();
        for (Thread t : threads) {
            t.join();
        }
        double cpuSeconds = (cpu1 - cpu0) / 100.0;
        return String.format("%.1f ok=%d failed=%d seconds=%d concurrency=%d server_cpu_s=%.2f ops_per_server_cpu_s=%.1f",
                ok.get() / (double) seconds, ok.get(), failed.get(), seconds, concurrency, cpuSeconds,
                cpuSeconds > 0 ? ok.get() / cpuSeconds : 0);
    }

    record Answer(int status, byte[] body) {
    }

    static byte[] request(String host, int port, String path, String headers, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n" + headers + "Content-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static Answer post(String host, int port, String path, String headers, byte[] body) throws Exception {
        return send(host, port, request(host, port, path, headers, body));
    }

    /** One request on its own connection; reads the head and a Content-Length body, then closes. */
    static Answer send(String host, int port, byte[] request) throws Exception {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException("closed inside the answer's head");
                }
                head.append((char) b);
            }
            int status = Integer.parseInt(head.substring(9, 12));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
            return new Answer(status, body);
        }
    }

    private static void serve(Path dir) throws Exception {
        BrokerFixture f = new BrokerFixture(dir, 1);
        try (var child = f.startChild(List.of("-Xmx256m"), dir.resolve("broker.log"))) {
            System.out.println("port=" + child.address().getPort() + " image=" + f.keys.keySet().iterator().next()
                    + " identity=" + f.guest.identityDir + " log=" + f.guest.eventLog + " pinned=" + f.guest.pinned);
            System.out.flush();
            System.in.read(); // until the script closes our stdin
        }
    }

    private static void fetch(String url, String image, Path identity, Path log, Path pinned) throws Exception {
        // what the agent has done before the network is up: provider, pinned key, prepare()
        var provider = new SimulatedProvider(dev.cvmfde.server.provider.simulated.SimulatedIdentity.load(identity),
                java.util.Optional.of(Files.readAllBytes(log)), new java.io.PrintStream(OutputStream.nullOutputStream()));
        var config = dev.cvmfde.server.pull.PullConfig.of(java.net.URI.create(url), image, provider,
                dev.cvmfde.server.VerifierTrust.pinned(dev.cvmfde.protocol.release.PinnedVerifierKey.read(pinned)),
                key -> dev.cvmfde.server.UnlockOutcome.unlocked("bench"));
        PullClient.prepare();
        long up = System.nanoTime();
        PullOutcome outcome = new PullClient(config, line -> { }).fetch();
        long done = System.nanoTime();
        if (!(outcome instanceof PullOutcome.Unlocked)) {
            throw new IllegalStateException("no key: " + outcome);
        }
        long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf("network_up_to_key_ms=%.1f jvm_start_to_key_ms=%d%n", (done - up) / 1e6, sinceStart);
    }
}

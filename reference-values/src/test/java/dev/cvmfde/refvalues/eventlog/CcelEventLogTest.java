package dev.cvmfde.refvalues.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import dev.cvmfde.refvalues.testing.Tools;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CcelEventLogTest {
    private static final List<DigestAlgorithm> SHA256 = List.of(DigestAlgorithm.SHA256);

    @Test
    void replayRems_ccelLogWithPadding_extendsRemOfMrMinusOne(@TempDir Path dir) throws Exception {
        List<LogEvent> events = new ArrayList<>();
        events.add(TpmEventLogTest.event(0, EventType.EV_POST_CODE, SHA256, new byte[] {1}));
        events.add(TpmEventLogTest.event(1, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, SHA256, new byte[] {2}));
        events.add(TpmEventLogTest.event(2, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, SHA256, new byte[] {3}));
        events.add(TpmEventLogTest.event(3, EventType.EV_IPL, SHA256, new byte[] {4}));
        events.add(TpmEventLogTest.event(3, EventType.EV_IPL, SHA256, new byte[] {5}));
        events.add(new LogEvent(3, EventType.EV_NO_ACTION, TpmEventLogTest.zeros(SHA256), new byte[] {6}));
        EventLog log = new EventLog(LogFormat.CCEL, new EventLogHeader(0, SpecIdEvent.of(SHA256)), events);
        byte[] bytes = EventLogWriter.toBytes(log);
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 4096);
        Arrays.fill(padded, bytes.length, padded.length, (byte) 0xFF);
        Path file = dir.resolve("ccel.bin");
        Files.write(file, padded);
        try (EventLogReader r = EventLogReader.open(file, LogFormat.CCEL, EventLogLimits.DEFAULT)) {
            Registers rems = Replayer.replayRems(r, DigestAlgorithm.SHA256);
            assertEquals(4, rems.size());
            assertEquals(ext(new byte[32], 2), rems.get(0).hex());
            assertEquals(ext(new byte[32], 3), rems.get(1).hex());
            assertEquals(ext(HexFormat.of().parseHex(ext(new byte[32], 4)), 5), rems.get(2).hex());
            assertEquals(Digest.zero(DigestAlgorithm.SHA256), rems.get(3));
        }
        assertEquals(log.events(), EventLogReader.readAll(file, LogFormat.CCEL, EventLogLimits.DEFAULT).events());
    }

    private static String ext(byte[] reg, int dataByte) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(reg);
        md.update(MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) dataByte}));
        return HexFormat.of().formatHex(md.digest());
    }

    /** 100 MiB of events replayed by a JVM with a 24 MiB heap: the reader must stream. */
    @Test
    void replayRems_100MiBLog_parsedInBoundedMemory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big-ccel.bin");
        byte[][] rems = new byte[4][32];
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random rnd = new Random(1);
        byte[] data = new byte[64 * 1024];
        long target = 100L << 20;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                EventLogWriter w = new EventLogWriter(out, LogFormat.CCEL,
                        new EventLogHeader(0, SpecIdEvent.of(SHA256)))) {
            for (long written = 0; written < target; written += data.length + 50) {
                rnd.nextBytes(data);
                int mr = 1 + rnd.nextInt(4);
                Digest d = Digest.of(DigestAlgorithm.SHA256, data);
                w.write(new LogEvent(mr, EventType.EV_IPL, List.of(EventDigest.of(d)), data));
                md.update(rems[mr - 1]);
                md.update(d.value());
                rems[mr - 1] = md.digest();
            }
        }
        assertTrue(Files.size(file) >= target);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Tools.run(List.of(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                BigLogProbe.class.getName(), file.toString()));
        for (int i = 0; i < 4; i++) {
            assertTrue(out.contains("REM" + i + "=" + HexFormat.of().formatHex(rems[i])), out);
        }
    }

    @Test
    void replayRems_4GiBClaimInSmallHeap_refusedAsTooLarge(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("claims-4gib.bin");
        Files.write(file, MalformedEventLogTest.withEvent(3, EventType.EV_IPL, 1, 0x0B, 32, 0xFFFFFFFFL, 64));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                BigLogProbe.class.getName(), file.toString()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("EventLogException") && out.contains("4294967295"), out);
        assertTrue(!out.contains("OutOfMemoryError"), out);
    }
}

package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Kills a writer process (SIGKILL) in the middle of a burst of appends, then checks the trail as it was left. */
final class AuditCrash {
    /** Appends acknowledged before the kill. */
    static final int ACKS_BEFORE_KILL = 300;

    private AuditCrash() {
    }

    /**
     * Runs {@link AuditWriterMain} on {@code spec} with 4 threads, kills it with SIGKILL once it
     * acknowledged {@link #ACKS_BEFORE_KILL} appends, and checks: the chain verifies (intact, or
     * intact up to a torn last line), it holds at least every acknowledged record, and the next
     * append chains on.
     */
    static void killMidBurstAndVerify(String spec) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx128m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), AuditWriterMain.class.getName(), spec, "4")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long maxAcked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int acks = 0;
            String line;
            while (acks < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acks++;
                    maxAcked = Math.max(maxAcked, Long.parseLong(line.substring(6)));
                }
            }
            if (acks < ACKS_BEFORE_KILL) {
                fail("the writer stopped after " + acks + " appends (exit " + p.waitFor() + ")");
            }
            // kill -9: no shutdown hook, no flush, threads stopped wherever they are (Process.destroyForcibly
            // would also close our end of its stdout, losing the acknowledgements still in the pipe)
            assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(p.pid())).inheritIO().start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            // acknowledgements printed between our last read and the kill count too
            while ((line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    maxAcked = Math.max(maxAcked, Long.parseLong(line.substring(6)));
                }
            }
        } finally {
            p.destroyForcibly();
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");

        try (ImageStore store = ImageStores.open(spec)) {
            AuditVerification v = store.audit().verify();
            if (v instanceof AuditVerification.Broken b) {
                fail("after kill -9 the trail is broken at record " + b.line() + ": " + b.reason());
            }
            assertTrue(v.verifiedRecords() >= maxAcked, "every acknowledged record survived: " + v.verifiedRecords()
                    + " verified, " + maxAcked + " acknowledged");
            AuditRecord next = store.audit().append(AuditEvent.of(Instant.now(), "after-crash", "web-01", Verdict.REFUSED,
                    List.of(), null));
            assertEquals(v.verifiedRecords() + 1, next.seq());
            AuditVerification after = store.audit().verify();
            assertTrue(after instanceof AuditVerification.Intact, after.toString());
            assertEquals(next.seq(), after.verifiedRecords());
        }
    }
}

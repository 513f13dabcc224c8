package dev.cvmfde.client.store;

import java.time.Instant;
import java.util.List;

/**
 * A separate process that appends to a store's audit trail as fast as it can from several
 * threads, printing {@code acked SEQ} after each append returned (the record is then durable),
 * until it is killed. {@link AuditCrash} runs it and kills it with SIGKILL mid-burst.
 */
public final class AuditWriterMain {
    private AuditWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        ImageStore store = ImageStores.open(args[0]);
        int threads = Integer.parseInt(args[1]);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofPlatform().start(() -> {
                try {
                    for (long i = 0; ; i++) {
                        AuditRecord r = store.audit().append(AuditEvent.of(Instant.now(), "10.0.0." + id + ":5000",
                                "web-01", i % 3 == 0 ? Verdict.RELEASED : Verdict.REFUSED,
                                i % 3 == 0 ? List.of() : List.of("boot-components/kernel"), new byte[] {(byte) i}));
                        synchronized (System.out) {
                            System.out.println("acked " + r.seq());
                            System.out.flush();
                        }
                    }
                } catch (Exception e) {
                    System.err.println("writer " + id + ": " + e);
                    System.exit(1);
                }
            });
        }
    }
}

package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.nio.file.Path;

/** Run in a forked JVM with a small heap: replays a CCEL log given as argument and prints REMs. */
public final class BigLogProbe {
    private BigLogProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (EventLogReader r = EventLogReader.open(Path.of(args[0]), LogFormat.CCEL, EventLogLimits.DEFAULT)) {
            Registers regs = Replayer.replayRems(r, DigestAlgorithm.SHA256);
            for (int i = 0; i < regs.size(); i++) {
                System.out.println("REM" + i + "=" + regs.get(i).hex());
            }
        }
        System.out.println("maxHeap=" + Runtime.getRuntime().maxMemory());
    }
}

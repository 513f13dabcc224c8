package dev.cvmfde.imagebuilder.disk;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.imagebuilder.partition.PartitionTableException;
import dev.cvmfde.imagebuilder.partition.PartitionTables;
import dev.cvmfde.imagebuilder.testsupport.DiskBytes;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruption of real images: every damaged input either reads or fails with a
 * typed format error, never another exception, a hang or an OutOfMemoryError.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES) // 100 rounds of real images per test: beyond the build's 5-minute default on a loaded machine
class CorruptionFuzzTest {

    static final int ROUNDS = 100;

    @TempDir
    Path dir;

    private Path image(String name, String... convertOpts) throws Exception {
        Path raw = dir.resolve(name + ".src.raw");
        if (!Files.exists(raw)) {
            Tools.sparseRaw(dir, name + ".src.raw", 4L << 20, 11);
            ok("sgdisk", "-n", "1:2048:+1M", "-n", "2:0:0", raw.toString());
        }
        Path out = dir.resolve(name);
        String[] cmd = new String[6 + convertOpts.length];
        cmd[0] = "qemu-img";
        cmd[1] = "convert";
        cmd[2] = "-f";
        cmd[3] = "raw";
        System.arraycopy(convertOpts, 0, cmd, 4, convertOpts.length);
        cmd[4 + convertOpts.length] = raw.toString();
        cmd[5 + convertOpts.length] = out.toString();
        ok(cmd);
        return out;
    }

    private void fuzz(Path pristine, long seed, int metadataBytes) throws Exception {
        byte[] original = Files.readAllBytes(pristine);
        Random r = new Random(seed);
        Path victim = dir.resolve("victim-" + pristine.getFileName());
        for (int round = 0; round < ROUNDS; round++) {
            byte[] b = original.clone();
            int flips = 1 + r.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = switch (r.nextInt(3)) {
                    case 0 -> r.nextInt(Math.min(metadataBytes, b.length));
                    case 1 -> b.length - 1 - r.nextInt(Math.min(1024, b.length));
                    default -> r.nextInt(b.length);
                };
                b[at] = (byte) r.nextInt(256);
            }
            Files.write(victim, b);
            try (VirtualDisk d = VirtualDisks.open(victim)) {
                // a corrupted size field may still be valid (up to what the L1 table maps): read the first 8 MiB
                DiskBytes.sha256(VirtualDisks.slice(d, 0, Math.min(d.size(), 8L << 20)), 1 << 20);
                Optional<DiskExtent> e = d.nextDataExtent(0);
                for (int n = 0; e.isPresent() && n < 10_000; n++) {
                    e = d.nextDataExtent(e.get().end());
                }
                PartitionTables.read(d);
            } catch (DiskFormatException | PartitionTableException expected) {
                // a typed refusal is the right outcome for damaged input
            } catch (Throwable t) {
                fail("round " + round + " of seed " + seed + " on " + pristine.getFileName() + " threw " + t, t);
            }
        }
    }

    @Test
    void open_randomlyCorruptedQcow2_onlyTypedErrors() throws Exception {
        fuzz(image("f.qcow2", "-O", "qcow2", "-o", "cluster_size=4096"), 1, 64 * 1024);
    }

    @Test
    void open_randomlyCorruptedCompressedQcow2_onlyTypedErrors() throws Exception {
        fuzz(image("fc.qcow2", "-O", "qcow2", "-c", "-o", "compat=0.10"), 2, 256 * 1024);
    }

    @Test
    void open_randomlyCorruptedDynamicVhd_onlyTypedErrors() throws Exception {
        fuzz(image("f.vhd", "-O", "vpc", "-o", "subformat=dynamic"), 3, 4096);
    }

    @Test
    void open_randomlyCorruptedGptDisk_onlyTypedErrors() throws Exception {
        fuzz(image("f.raw", "-O", "raw"), 4, 34 * 512);
    }
}

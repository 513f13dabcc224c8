package dev.cvmfde.imagebuilder.disk;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.imagebuilder.partition.PartitionTableException;
import dev.cvmfde.imagebuilder.partition.PartitionTables;
import dev.cvmfde.imagebuilder.testsupport.DiskBytes;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruption of real images: every damaged input either reads or fails with a
 * typed format error, never another exception, a hang or an OutOfMemoryError. The pristine
 * images are the same bytes on every run (fixed GUIDs, pinned VHD footers), so a failure's
 * round and seed replay it.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES) // 100 rounds of real images per test: beyond the build's 5-minute default on a loaded machine
class CorruptionFuzzTest {

    static final int ROUNDS = 100;
    static final String DISK_GUID = "5eed0000-0000-4000-8000-000000000001";
    static final String[] PARTITION_GUIDS = {"5eed0000-0000-4000-8000-000000000002", "5eed0000-0000-4000-8000-000000000003"};
    static final int VHD_FOOTER_BYTES = 512;

    @TempDir
    Path dir;

    private static Path image(Path dir, String name, String... convertOpts) throws Exception {
        Path raw = dir.resolve(name + ".src.raw");
        if (!Files.exists(raw)) {
            Tools.sparseRaw(dir, name + ".src.raw", 4L << 20, 11);
            // fixed GUIDs: sgdisk would draw fresh ones, and the seed must replay the same bytes
            ok("sgdisk", "-n", "1:2048:+1M", "-n", "2:0:0", "-U", DISK_GUID, "-u", "1:" + PARTITION_GUIDS[0],
                    "-u", "2:" + PARTITION_GUIDS[1], raw.toString());
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
        if (List.of(convertOpts).contains("vpc")) {
            pinVhdFooters(out);
        }
        return out;
    }

    /**
     * qemu-img stamps each VHD footer (the copy at the start and the one at the end) with the
     * time and a fresh unique id; both are fixed here and the checksum recomputed.
     */
    private static void pinVhdFooters(Path vhd) throws Exception {
        byte[] b = Files.readAllBytes(vhd);
        for (int at : new int[] {0, b.length - VHD_FOOTER_BYTES}) {
            java.nio.ByteBuffer f = java.nio.ByteBuffer.wrap(b, at, VHD_FOOTER_BYTES).slice();
            f.putInt(24, 0).put(68, new byte[16]).putInt(64, 0);
            long sum = 0;
            for (int i = 0; i < VHD_FOOTER_BYTES; i++) {
                sum += f.get(i) & 0xff;
            }
            f.putInt(64, (int) ~sum);
        }
        Files.write(vhd, b);
    }

    @Test
    void pristineImages_builtTwice_sameBytes(@TempDir Path other) throws Exception {
        for (String[] kind : List.of(new String[] {"q.qcow2", "-O", "qcow2", "-o", "cluster_size=4096"},
                new String[] {"c.qcow2", "-O", "qcow2", "-c", "-o", "compat=0.10"},
                new String[] {"v.vhd", "-O", "vpc", "-o", "subformat=dynamic"}, new String[] {"g.raw", "-O", "raw"})) {
            String[] opts = java.util.Arrays.copyOfRange(kind, 1, kind.length);
            Path first = image(dir, kind[0], opts);
            assertEquals(Tools.sha256(first), Tools.sha256(image(other, kind[0], opts)),
                    kind[0] + " differs between two builds");
            try (VirtualDisk pristine = VirtualDisks.open(first)) {
                PartitionTables.read(pristine);
            }
        }
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
        fuzz(image(dir, "f.qcow2", "-O", "qcow2", "-o", "cluster_size=4096"), 1, 64 * 1024);
    }

    @Test
    void open_randomlyCorruptedCompressedQcow2_onlyTypedErrors() throws Exception {
        fuzz(image(dir, "fc.qcow2", "-O", "qcow2", "-c", "-o", "compat=0.10"), 2, 256 * 1024);
    }

    @Test
    void open_randomlyCorruptedDynamicVhd_onlyTypedErrors() throws Exception {
        fuzz(image(dir, "f.vhd", "-O", "vpc", "-o", "subformat=dynamic"), 3, 4096);
    }

    @Test
    void open_randomlyCorruptedGptDisk_onlyTypedErrors() throws Exception {
        fuzz(image(dir, "f.raw", "-O", "raw"), 4, 34 * 512);
    }
}

package dev.cvmfde.refvalues.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.cli.ReferenceValuesCli;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.testing.Fixtures;
import dev.cvmfde.refvalues.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasureCommandTest {
    static Path bootDir(Path root, String... versions) throws Exception {
        return Fixtures.bootDir(root, versions);
    }

    static String sha256sum(Path dir, String shell) throws Exception {
        return Tools.run(List.of("sh", "-c", shell + " | sha256sum"), dir).substring(0, 64);
    }

    @Test
    void measure_bootDirWithGzipKernel_equalsIndependentTools(@TempDir Path dir) throws Exception {
        Path boot = bootDir(dir.resolve("boot"), "6.6.0-28.aarch64");
        Path out = dir.resolve("hash.json");
        int rc = ReferenceValuesCli.commandLine().execute("measure", "--boot-dir", boot.toString(), "-o", out.toString());
        assertEquals(0, rc);
        Baseline b = HashJson.read(out);
        assertEquals(Baseline.Form.FLAT, b.form());
        assertEquals(AuthenticodeTest.pesignHash(boot.resolve("EFI/debian/grubx64.efi")), b.grub().hex());
        assertEquals(sha256sum(boot, "cat grub/grub.cfg"), b.grubCfg().hex());
        assertEquals(sha256sum(boot, "zcat vmlinuz-6.6.0-28.aarch64"), b.kernels().getFirst().kernel().hex());
        assertNotEquals(sha256sum(boot, "cat vmlinuz-6.6.0-28.aarch64"), b.kernels().getFirst().kernel().hex());
        assertEquals(sha256sum(boot, "cat initramfs-6.6.0-28.aarch64.img"), b.kernels().getFirst().initramfs().hex());
    }

    @Test
    void measure_severalKernels_writesMultiKernelForm(@TempDir Path dir) throws Exception {
        Path boot = bootDir(dir.resolve("boot"), "6.6.0-1", "6.6.0-2");
        Baseline b = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA512, false);
        assertEquals(Baseline.Form.MULTI_KERNEL, b.form());
        assertEquals(2, b.kernels().size());
        assertEquals(Tools.run(List.of("sh", "-c", "zcat vmlinuz-6.6.0-2 | sha512sum"), boot).substring(0, 128),
                b.kernel("6.6.0-2").orElseThrow().kernel().hex());
        Baseline one = BootMeasurer.measure(boot, List.of("6.6.0-1"), DigestAlgorithm.SHA256, true);
        assertEquals(Baseline.Form.MULTI_KERNEL, one.form());
        assertEquals(List.of("6.6.0-1"), one.kernels().stream().map(k -> k.version().orElseThrow()).toList());
    }

    @Test
    void measure_rawKernel_hashesFileAsIs(@TempDir Path dir) throws Exception {
        Path k = dir.resolve("bzImage");
        Files.write(k, new byte[] {'M', 'Z', 1, 2, 3});
        assertEquals(Measurements.file(k, DigestAlgorithm.SHA256), Measurements.kernel(k, DigestAlgorithm.SHA256));
    }

    @Test
    void measure_missingVersion_refusedNotFound(@TempDir Path dir) throws Exception {
        Path boot = bootDir(dir.resolve("boot"), "6.6.0-1");
        MeasureException e = assertThrows(MeasureException.class,
                () -> BootMeasurer.measure(boot, List.of("9.9"), DigestAlgorithm.SHA256, false));
        assertEquals(MeasureException.Kind.NOT_FOUND, e.kind());
        int rc = ReferenceValuesCli.commandLine().execute("measure", "--boot-dir", boot.toString(),
                "--kernel-version", "9.9", "-o", dir.resolve("h.json").toString());
        assertEquals(ReferenceValuesCli.EXIT_ERROR, rc);
        assertEquals(false, Files.exists(dir.resolve("h.json")));
    }

    @Test
    void measure_corruptGzipKernel_refusedBadCompression(@TempDir Path dir) throws Exception {
        Path k = dir.resolve("Image.gz");
        Files.write(k, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
        assertEquals(MeasureException.Kind.BAD_COMPRESSION,
                assertThrows(MeasureException.class, () -> Measurements.kernel(k, DigestAlgorithm.SHA256)).kind());
    }

    @Test
    void measure_badHashAlg_usageError(@TempDir Path dir) throws Exception {
        Path boot = bootDir(dir.resolve("boot"), "1");
        assertEquals(ReferenceValuesCli.EXIT_USAGE, ReferenceValuesCli.commandLine().execute("measure", "--boot-dir",
                boot.toString(), "--hash-alg", "md5"));
    }
}

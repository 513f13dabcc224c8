package dev.cvmfde.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample guest of {@code tools/sample-guest/build.sh} (GPT qcow2: p1 vfat boot with grub,
 * grub.cfg, kernel, dracut initramfs; p2 ext4 root), built once per test JVM into
 * {@code target/sample-guest}. The build caches its downloads under
 * {@code ${XDG_CACHE_HOME:-~/.cache}/cvm-fde}; only the first build needs the Debian archive.
 */
final class SampleGuest {
    static final String ROOT_FS_UUID = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    static final int BOOT_FIRST_LBA = 2048;
    static final int ROOT_FIRST_LBA = 526336;
    static final long ROOT_BYTES = 128L << 20;

    private static final java.util.Map<String, Path> BUILT = new java.util.HashMap<>();

    private SampleGuest() {}

    static Path qcow2() throws Exception {
        return qcow2("default");
    }

    /**
     * The sample guest of {@code build.sh --layout LAYOUT} (default, ext4-boot, debian-cloud, bls,
     * mbr), built once per test JVM into {@code target/sample-guest[-LAYOUT]}.
     */
    static synchronized Path qcow2(String layout) throws Exception {
        Path built = BUILT.get(layout);
        if (built == null) {
            Path repo = Path.of("..").toAbsolutePath().normalize();
            Path script = repo.resolve("tools/sample-guest/build.sh");
            if (!Files.isExecutable(script)) {
                fail("tools/sample-guest/build.sh not found at " + script);
            }
            Path out = Path.of(layout.equals("default") ? "target/sample-guest" : "target/sample-guest-" + layout)
                    .toAbsolutePath();
            Tools.Result r = Tools.run(script.toString(), "--layout", layout, out.toString());
            if (r.exit() != 0) {
                fail("tools/sample-guest/build.sh --layout " + layout + " failed (it needs dracut, dracut-network,"
                        + " mtools, gdisk, fdisk, e2fsprogs, qemu-utils and, the first time, the Debian archive):\n"
                        + r.out());
            }
            built = out.resolve("guest.qcow2");
            BUILT.put(layout, built);
        }
        return built;
    }
}

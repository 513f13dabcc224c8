package dev.cvmfde.agent.luks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.LuksFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake sysfs (the edge) pointing at real LUKS2 files made by cryptsetup. */
class LuksVolumesTest {
    @TempDir
    Path tmp;

    private Path sys(String... names) throws Exception {
        Path sys = Files.createDirectories(tmp.resolve("sys"));
        for (String n : names) {
            Files.createDirectories(sys.resolve(n));
        }
        return sys;
    }

    @Test
    void findByUuid_amongSeveralLuksVolumes_findsTheRightOne() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        LuksFixture other = LuksFixture.format(dev.resolve("nvme0n1p1"));
        LuksFixture root = LuksFixture.format(dev.resolve("nvme0n1p3"));
        Files.write(dev.resolve("nvme0n1"), new byte[8192]);
        Path sys = sys("nvme0n1", "nvme0n1p1", "nvme0n1p3", "loop0");

        assertEquals(dev.resolve("nvme0n1p3"), LuksVolumes.findByUuid(sys, dev, root.uuid.toUpperCase()));
        assertEquals(dev.resolve("nvme0n1p1"), LuksVolumes.findByUuid(sys, dev, other.uuid));
        assertEquals(2, LuksHeader.read(dev.resolve("nvme0n1p3")).orElseThrow().version());
    }

    @Test
    void findByUuid_missingUuid_clearError() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        LuksFixture.format(dev.resolve("vda2"));
        Path sys = sys("vda", "vda2");

        RootDeviceException e = assertThrows(RootDeviceException.class,
                () -> LuksVolumes.findByUuid(sys, dev, "11111111-2222-4333-8444-555555555555"));
        assertTrue(e.getMessage().startsWith("root device: no LUKS volume with UUID 11111111"), e.getMessage());
        assertTrue(e.getMessage().contains("1 LUKS volumes with other UUIDs"), e.getMessage());
    }

    @Test
    void findByUuid_sameUuidTwice_refusesToGuess() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        LuksFixture root = LuksFixture.format(dev.resolve("vda2"));
        Files.copy(dev.resolve("vda2"), dev.resolve("vdb2"));
        Path sys = sys("vda2", "vdb2");

        RootDeviceException e = assertThrows(RootDeviceException.class, () -> LuksVolumes.findByUuid(sys, dev, root.uuid));
        assertTrue(e.getMessage().contains("refusing to guess"), e.getMessage());
    }

    @Test
    void parse_shortOrForeignHeader_empty() {
        assertTrue(LuksHeader.parse(new byte[10]).isEmpty());
        assertTrue(LuksHeader.parse(new byte[LuksHeader.HEADER_READ_BYTES]).isEmpty());
    }

    @Test
    void checkFile_matchingUuid_returnsTheFile() throws Exception {
        LuksFixture root = LuksFixture.format(tmp.resolve("root.luks"));

        assertEquals(root.file, LuksVolumes.checkFile(root.file, root.uuid.toUpperCase()));
    }

    @Test
    void checkFile_otherUuid_refusedNamingBothUuids() throws Exception {
        LuksFixture root = LuksFixture.format(tmp.resolve("root.luks"));
        String want = "0c0ffee0-1234-4abc-8def-0123456789ab";

        RootDeviceException e = assertThrows(RootDeviceException.class, () -> LuksVolumes.checkFile(root.file, want));
        assertTrue(e.getMessage().contains(root.uuid) && e.getMessage().contains(want), e.getMessage());
    }

    @Test
    void checkFile_notLuksOrMissing_refused() throws Exception {
        Path plain = Files.write(tmp.resolve("plain.img"), new byte[4096]);
        String uuid = "0c0ffee0-1234-4abc-8def-0123456789ab";

        RootDeviceException notLuks = assertThrows(RootDeviceException.class, () -> LuksVolumes.checkFile(plain, uuid));
        assertTrue(notLuks.getMessage().contains("does not start with a LUKS header"), notLuks.getMessage());
        RootDeviceException missing = assertThrows(RootDeviceException.class,
                () -> LuksVolumes.checkFile(tmp.resolve("nope.img"), uuid));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}

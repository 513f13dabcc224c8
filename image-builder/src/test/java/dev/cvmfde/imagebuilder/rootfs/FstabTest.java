package dev.cvmfde.imagebuilder.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FstabTest {
    @Test
    void rewrite_rootByDevicePath_namesTheMapperDevice() {
        String in = "# comment\n/dev/vda2 / ext4 defaults 0 1\nUUID=ab /data ext4 defaults 0 2\n";
        assertEquals(Optional.of("# comment\n/dev/mapper/encroot / ext4 defaults 0 1\nUUID=ab /data ext4 defaults 0 2\n"),
                Fstab.rewrite(in, Optional.empty()));
    }

    @Test
    void rewrite_rootByPartuuid_namesTheMapperDevice() {
        String out = Fstab.rewrite("PARTUUID=1234-01\t/\text4\trw\t0\t1\n", Optional.empty()).orElseThrow();
        assertEquals("/dev/mapper/encroot\t/\text4\trw\t0\t1\n", out);
    }

    @Test
    void rewrite_rootByUuidOrLabel_unchanged() {
        assertEquals(Optional.empty(), Fstab.rewrite("UUID=3f1c / ext4 defaults 0 1\n/dev/vdb1 /srv ext4 defaults 0 2\n",
                Optional.empty()));
        assertEquals(Optional.empty(), Fstab.rewrite("LABEL=root / ext4 defaults 0 1", Optional.empty()));
    }

    @Test
    void rewrite_bootEntry_replacesAnExistingBootLineOrIsAppended() {
        String line = "UUID=77 /boot ext4 defaults 0 2";
        assertEquals("UUID=1 / ext4 defaults 0 1\n" + line + "\n",
                Fstab.rewrite("UUID=1 / ext4 defaults 0 1", Optional.of(line)).orElseThrow());
        assertEquals("UUID=1 / ext4 defaults 0 1\n" + line + "\n",
                Fstab.rewrite("UUID=1 / ext4 defaults 0 1\n/dev/vda3 /boot ext4 defaults 0 2\n", Optional.of(line))
                        .orElseThrow());
        assertTrue(Fstab.rewrite("#/dev/vda1 / ext4 defaults 0 1\n", Optional.empty()).isEmpty(), "comments stay");
    }
}

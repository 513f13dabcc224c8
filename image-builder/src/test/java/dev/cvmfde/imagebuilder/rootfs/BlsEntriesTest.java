package dev.cvmfde.imagebuilder.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlsEntriesTest {
    static final String FEDORA = """
            title Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Cloud Edition)
            version 6.5.6-300.fc39.x86_64
            linux /vmlinuz-6.5.6-300.fc39.x86_64
            initrd /initramfs-6.5.6-300.fc39.x86_64.img
            options root=UUID=1c2d ro rootflags=subvol=root no_timer_check console=tty1 console=ttyS0,115200n8 rd.break
            grub_users $grub_users
            grub_arg --unrestricted
            grub_class fedora
            """;

    @Test
    void rewrite_fedoraEntry_onlyOptionsChangeShellArgumentsGone() throws Exception {
        BlsEntries.Entry e = BlsEntries.parse("x.conf", FEDORA);
        String out = BlsEntries.rewrite(e, GrubConfig.AGENT_PARAMETERS);
        List<String> a = FEDORA.lines().toList();
        List<String> b = out.lines().toList();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).startsWith("options ")) {
                assertEquals(a.get(i), b.get(i));
            }
        }
        String options = BlsEntries.parse("x.conf", out).get("options").orElseThrow();
        assertEquals("root=/dev/mapper/encroot ro rootflags=subvol=root no_timer_check console=tty1 console=ttyS0,115200n8"
                + " rd.neednet=1 ip=dhcp rd.shell=0 rd.emergency=poweroff", options);
    }

    @Test
    void rewrite_noOptionsLine_addedAfterLinux() throws Exception {
        BlsEntries.Entry e = BlsEntries.parse("x.conf", "title t\nlinux /vmlinuz-1\ninitrd /initramfs-1.img\n");
        String out = BlsEntries.rewrite(e, List.of());
        assertTrue(out.startsWith("title t\nlinux /vmlinuz-1\noptions root=/dev/mapper/encroot rd.shell=0"), out);
    }

    @Test
    void parse_optionsWithGrubVariable_refused() {
        EncryptException x = assertThrows(EncryptException.class,
                () -> BlsEntries.parse("a.conf", "linux /vmlinuz-1\noptions $kernelopts\n"));
        assertEquals(EncryptException.Step.BOOT, x.step());
    }

    @Test
    void parse_noLinuxLine_refused() {
        assertEquals(EncryptException.Step.BOOT, assertThrows(EncryptException.class,
                () -> BlsEntries.parse("a.conf", "title t\n")).step());
    }

    @Test
    void defaultEntry_newestVersionWins() throws Exception {
        BlsEntries.Entry old = BlsEntries.parse("a-6.5.6.conf", "version 6.5.6-300\nlinux /vmlinuz-6.5.6\n");
        BlsEntries.Entry newer = BlsEntries.parse("a-6.10.1.conf", "version 6.10.1-100\nlinux /vmlinuz-6.10.1\n");
        assertEquals("a-6.10.1.conf", BlsEntries.defaultEntry(List.of(old, newer)).fileName());
        assertTrue(BlsEntries.compareVersions("6.5.10", "6.5.9") > 0);
    }
}

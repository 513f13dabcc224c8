package dev.cvmfde.imagebuilder.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GrubConfigTest {
    static final String CFG = """
            set timeout=0
            serial --unit=0 --speed=115200
            menuentry 'a' {
            \tinsmod gzio
            \tlinux /vmlinuz-6.1 root=UUID=3f1c ro console=ttyS0 ip=off
            \tinitrd /initrd.img-6.1
            }
            menuentry 'b' {
              linux /vmlinuz-6.0 root=/dev/vda2 ro
              initrd /initrd.img-6.0
            }
            set fallback=1
            """;

    @Test
    void rewrite_uuidAndDeviceRoots_replacedAgentParametersAddedOnlyWhenAbsent() {
        String out = GrubConfig.rewrite(CFG, GrubConfig.AGENT_PARAMETERS);
        assertTrue(out.contains("\tlinux /vmlinuz-6.1 root=/dev/mapper/encroot ro console=ttyS0 ip=off rd.neednet=1"
                + " rd.shell=0 rd.emergency=poweroff\n"), out);
        assertTrue(out.contains("  linux /vmlinuz-6.0 root=/dev/mapper/encroot ro rd.neednet=1 ip=dhcp rd.shell=0"
                + " rd.emergency=poweroff\n"), out);
        assertTrue(out.startsWith("set timeout=0\nserial --unit=0 --speed=115200\nmenuentry 'a' {\n\tinsmod gzio\n"));
    }

    @Test
    void rewrite_noRootParameter_encryptedRootAdded() {
        assertEquals("linux /k root=/dev/mapper/encroot quiet rd.shell=0 rd.emergency=poweroff\n",
                GrubConfig.rewrite("linux /k quiet\n", List.of()));
    }

    /** Issue 11: a source image whose command line would open a shell comes out shell-free, pins last. */
    @Test
    void rewrite_shellOpeningArguments_removedAndNoShellPinned() {
        String in = "linux /k root=UUID=1 ro rd.shell rd.shell=1 rdshell rd.break=pre-mount rd.break rdbreak=initqueue"
                + " rd.emergency=halt systemd.debug_shell systemd.debug-shell=1 rd.systemd.debug_shell"
                + " systemd.confirm_spawn=1 rd.systemd.unit=emergency.target systemd.unit=rescue.target single S 1"
                + " emergency rd.rescue -b init=/bin/sh rdinit=/bin/busybox quiet rd.debug init=/lib/systemd/systemd"
                + " systemd.unit=multi-user.target\n";

        String out = GrubConfig.rewrite(in, GrubConfig.AGENT_PARAMETERS);

        assertEquals("linux /k root=/dev/mapper/encroot ro quiet rd.debug init=/lib/systemd/systemd"
                + " systemd.unit=multi-user.target rd.neednet=1 ip=dhcp rd.shell=0 rd.emergency=poweroff\n", out);
        GrubConfig.BootEntry entry = GrubConfig.defaultEntry(out).orElse(null);
        assertTrue(entry == null || entry.kernelArguments().endsWith("rd.shell=0 rd.emergency=poweroff"));
    }

    @Test
    void rewrite_twice_sameLine() {
        String once = GrubConfig.rewrite(CFG, GrubConfig.AGENT_PARAMETERS);
        assertEquals(once, GrubConfig.rewrite(once, GrubConfig.AGENT_PARAMETERS), "pins are not duplicated");
    }

    @Test
    void defaultEntry_firstMenuentry_topLevelCommandsThenEntryCommands() {
        GrubConfig.BootEntry e = GrubConfig.defaultEntry(CFG).orElseThrow();
        assertEquals("/vmlinuz-6.1", e.kernelPath());
        assertEquals("root=UUID=3f1c ro console=ttyS0 ip=off", e.kernelArguments());
        assertEquals("/initrd.img-6.1", e.initrdPath());
        assertEquals(List.of("set timeout=0", "serial --unit=0 --speed=115200", "set fallback=1", "insmod gzio"),
                e.commandsBeforeLinux());
    }

    @Test
    void defaultEntry_noLinuxLine_empty() {
        assertTrue(GrubConfig.defaultEntry("set timeout=0\n").isEmpty());
    }

    @Test
    void argumentsByKernel_everyLinuxLine() {
        assertEquals(java.util.Map.of("vmlinuz-6.1", "root=UUID=3f1c ro console=ttyS0 ip=off", "vmlinuz-6.0",
                "root=/dev/vda2 ro"), GrubConfig.argumentsByKernel(CFG));
    }
}

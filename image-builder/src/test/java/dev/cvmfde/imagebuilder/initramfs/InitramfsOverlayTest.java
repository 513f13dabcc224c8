package dev.cvmfde.imagebuilder.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsOverlayTest {
    @TempDir Path dir;

    private static String run(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    /** A real gzip'd newc initramfs made by the system cpio, with an odd size to force padding. */
    private Path baseInitramfs() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/usr/lib"));
        Files.writeString(tree.resolve("hello"), "base");
        run(dir.resolve("tree"), "sh", "-c", "find . | cpio -o -H newc --quiet | gzip -9 > ../base.img && printf x >> ../base.img");
        return dir.resolve("base.img");
    }

    @Test
    void appendTo_realInitramfs_keepsBaseBytesAlignsAndCpioReadsOverlay() throws Exception {
        Path base = baseInitramfs();
        byte[] baseBytes = Files.readAllBytes(base);
        byte[] hook = "#!/bin/sh\necho fde hook\n".getBytes(StandardCharsets.US_ASCII);
        InitramfsOverlay overlay = new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/lib/dracut/hooks/initqueue/settled/90-cvmfde.sh", 0755, hook),
                OverlayEntry.file("etc/cvm-fde/image-id", 0644, "img-1".getBytes(StandardCharsets.US_ASCII))));
        Path out = dir.resolve("out.img");
        try (var os = Files.newOutputStream(out)) {
            overlay.appendTo(base, os);
        }
        byte[] all = Files.readAllBytes(out);
        assertArrayEquals(baseBytes, Arrays.copyOf(all, baseBytes.length), "base bytes must be unchanged");
        int archiveStart = (baseBytes.length + 3) / 4 * 4;
        for (int i = baseBytes.length; i < archiveStart; i++) {
            assertEquals(0, all[i], "padding must be zeros");
        }
        assertEquals("070701", new String(all, archiveStart, 6, StandardCharsets.US_ASCII));
        assertArrayEquals(baseBytes, Files.readAllBytes(base), "input must not change");

        Path extract = Files.createDirectories(dir.resolve("x"));
        String listing = run(extract, "sh", "-c", "tail -c +" + (archiveStart + 1) + " ../out.img | cpio -idv --quiet 2>&1; tail -c +"
                + (archiveStart + 1) + " ../out.img | cpio -tv --quiet");
        assertArrayEquals(hook, Files.readAllBytes(extract.resolve("usr/lib/dracut/hooks/initqueue/settled/90-cvmfde.sh")));
        assertTrue(listing.contains("root") || listing.contains(" 0 "), listing);
        assertTrue(listing.contains("-rwxr-xr-x"), listing);
    }

    @Test
    void archive_sameEntries_sameBytes() throws Exception {
        List<OverlayEntry> entries = List.of(OverlayEntry.file("usr/lib/cvm-fde/a", 0644, new byte[] {1, 2, 3}));
        assertArrayEquals(new InitramfsOverlay(entries).archive(), new InitramfsOverlay(entries).archive());
    }

    @Test
    void constructor_addsParentDirectoriesOnce() {
        InitramfsOverlay overlay = new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/lib/cvm-fde/a", 0644, new byte[0]),
                OverlayEntry.file("usr/lib/cvm-fde/b", 0644, new byte[0])));
        assertEquals(List.of("usr", "usr/lib", "usr/lib/cvm-fde", "usr/lib/cvm-fde/a", "usr/lib/cvm-fde/b"),
                overlay.entries().stream().map(OverlayEntry::path).toList());
    }

    @Test
    void file_throughMergedUsrSymlink_refused() {
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("lib/modules/x.ko", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("bin/agent", 0755, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.directory("lib64"));
    }

    @Test
    void file_absoluteOrDotDotPath_refused() {
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("/etc/x", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("usr/../etc/x", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("usr//x", 0644, new byte[0]));
    }

    @Test
    void file_modeWithTypeBits_refused() {
        assertThrows(IllegalArgumentException.class, () -> OverlayEntry.file("usr/x", 0100644, new byte[0]));
    }

    @Test
    void appendTo_alignedBase_addsNoPadding() throws Exception {
        Path base = Files.write(dir.resolve("b"), new byte[8]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new InitramfsOverlay(List.of(OverlayEntry.file("etc/x", 0644, new byte[] {7}))).appendTo(base, out);
        assertEquals("070701", new String(out.toByteArray(), 8, 6, StandardCharsets.US_ASCII));
    }
}

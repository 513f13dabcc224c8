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
        Files.createDirectories(tree.resolve("dracut/hooks/initqueue/settled"));
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

    /**
     * dracut 106 (Debian trixie): usr/lib/dracut/hooks is a symlink to var/lib/dracut/hooks. A
     * directory entry for it would make the kernel replace the symlink with an empty directory,
     * losing every hook (the arm64 guest's network never came up because of it).
     */
    private Path dracut106Initramfs(String compressor) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("t106"));
        Files.createDirectories(tree.resolve("var/lib/dracut/hooks/initqueue/settled"));
        Files.createDirectories(tree.resolve("var/lib/dracut/hooks/cmdline"));
        Files.writeString(tree.resolve("var/lib/dracut/hooks/cmdline/98-parse-ip-opts.sh"), "# dracut's\n");
        Files.createDirectories(tree.resolve("usr/lib/dracut"));
        Files.createSymbolicLink(tree.resolve("usr/lib/dracut/hooks"), Path.of("../../../var/lib/dracut/hooks"));
        Files.createSymbolicLink(tree.resolve("lib"), Path.of("usr/lib"));
        Files.writeString(tree.resolve("usr/lib/dracut/dracut-106-6"), "106-6\n");
        run(tree, "sh", "-c", "printf 'early' > ../early && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../base106.img"
                + " && find . -name early | cpio -o -H newc --quiet >/dev/null; " + compressor + " < ../base106.img > ../base106.c"
                + " && { echo . | cpio -o -H newc --quiet; cat ../base106.c; } > ../base106.full");
        return dir.resolve("base106.full");
    }

    @Test
    void appendTo_hooksDirectoryIsSymlink_writesNoEntryForItAndHooksLandInTarget() throws Exception {
        Path base = dracut106Initramfs("zstd -q -c");
        byte[] baseBytes = Files.readAllBytes(base);
        byte[] hook = "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII);
        InitramfsOverlay overlay = new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/lib/dracut/hooks/initqueue/settled/90-cvmfde.sh", 0755, hook),
                OverlayEntry.file("usr/lib/cvm-fde/agent.json", 0644, new byte[] {'{', '}'})));
        Path out = dir.resolve("out106.img");
        try (var os = Files.newOutputStream(out)) {
            overlay.appendTo(base, os);
        }
        int archiveStart = (baseBytes.length + 3) / 4 * 4;
        String listing = run(dir, "sh", "-c", "tail -c +" + (archiveStart + 1) + " out106.img | cpio -t --quiet");
        assertEquals(List.of("usr/lib/dracut/hooks/initqueue/settled/90-cvmfde.sh", "usr/lib/cvm-fde",
                "usr/lib/cvm-fde/agent.json"), List.of(listing.strip().split("\n")),
                "only the missing directory gets an entry; usr, usr/lib, usr/lib/dracut and the hooks symlink none");
        assertArrayEquals(baseBytes, Files.readAllBytes(base), "input must not change");
    }

    @Test
    void appendTo_gzipXzAndBzip2Bases_read() throws Exception {
        for (String c : List.of("gzip -9", "xz -T1 --check=crc32", "bzip2")) {
            Path base = dracut106Initramfs(c);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new InitramfsOverlay(List.of(OverlayEntry.file("usr/lib/dracut/hooks/cmdline/99-x.sh", 0755, new byte[0])))
                    .appendTo(base, out);
            String tail = new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
            assertTrue(!tail.contains("usr/lib/dracut/hooks\0"), c + ": no entry for the hooks symlink");
            Files.walk(dir.resolve("t106")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void appendTo_noDracutHooks_refusedAndNothingWritten() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("plain/usr/lib"));
        Files.writeString(tree.resolve("x"), "x");
        run(dir.resolve("plain"), "sh", "-c", "find . | cpio -o -H newc --quiet | gzip > ../plain.img");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class, () -> new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/lib/dracut/hooks/initqueue/settled/90-cvmfde.sh", 0755, new byte[0])))
                .appendTo(dir.resolve("plain.img"), out));
        assertTrue(e.getMessage().contains("dracut hook directory 'usr/lib/dracut/hooks'"), e.getMessage());
        assertEquals(0, out.size(), "nothing written");
    }

    @Test
    void appendTo_fileWhereOverlayNeedsDirectory_refused() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("f/usr/lib"));
        Files.writeString(tree.resolve("cvm-fde"), "a file");
        run(dir.resolve("f"), "sh", "-c", "find . | cpio -o -H newc --quiet > ../f.img");
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class, () -> new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/lib/cvm-fde/a", 0644, new byte[0]))).appendTo(dir.resolve("f.img"), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("'usr/lib/cvm-fde' is a file there"), e.getMessage());
    }

    @Test
    void appendTo_lz4TruncatedOrGarbageBase_refusedWithTypedError() throws Exception {
        Path lz4 = Files.write(dir.resolve("lz4.img"), new byte[] {0x02, 0x21, 0x4c, 0x18, 1, 2, 3, 4});
        InitramfsOverlay overlay = new InitramfsOverlay(List.of(OverlayEntry.file("etc/x", 0644, new byte[0])));
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class,
                () -> overlay.appendTo(lz4, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("lz4"), e.getMessage());
        Path base = baseInitramfs();
        byte[] gz = Files.readAllBytes(base);
        Path cut = Files.write(dir.resolve("cut.img"), Arrays.copyOf(gz, gz.length / 2));
        assertThrows(java.io.IOException.class, () -> overlay.appendTo(cut, new ByteArrayOutputStream()));
        Path garbage = Files.write(dir.resolve("g.img"), "hello world, not an initramfs".getBytes(StandardCharsets.US_ASCII));
        e = assertThrows(InitramfsFormatException.class, () -> overlay.appendTo(garbage, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("unknown format"), e.getMessage());
    }

    @Test
    void appendTo_symlinkLoop_refused() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("loop/usr"));
        Files.createSymbolicLink(tree.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(tree.resolve("b"), Path.of("a"));
        run(dir.resolve("loop"), "sh", "-c", "find . | cpio -o -H newc --quiet > ../loop.img");
        InitramfsFormatException e = assertThrows(InitramfsFormatException.class, () -> new InitramfsOverlay(List.of(
                OverlayEntry.file("usr/a/x", 0644, new byte[0]))).appendTo(dir.resolve("loop.img"), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("symlink loop"), e.getMessage());
    }
}

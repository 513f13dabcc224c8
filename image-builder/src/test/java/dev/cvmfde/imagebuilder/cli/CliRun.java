package dev.cvmfde.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.imagebuilder.luks.ReferenceXts;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs the CLI in-process and checks LUKS output with cryptsetup and an independent XTS. */
final class CliRun {
    record Result(int exit, String out, String err) {}

    private CliRun() {}

    static Result run(String... args) {
        CommandLine cl = ImageBuilderCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Result ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            fail("image-builder " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.err());
        }
        return r;
    }

    /** The volume key cryptsetup recovers from the LUKS header at the start of {@code container}. */
    static byte[] dumpVolumeKey(Path container, Path keyFile) throws Exception {
        String out = Tools.ok("cryptsetup", "luksDump", "--dump-volume-key", "--batch-mode", "--key-file",
                keyFile.toString(), container.toString());
        int at = out.indexOf("MK dump:");
        at = at >= 0 ? at : out.indexOf("Volume key:");
        if (at < 0) {
            fail("no volume key in cryptsetup's dump");
        }
        StringBuilder hex = new StringBuilder();
        Matcher m = Pattern.compile("\\b[0-9a-f]{2}\\b").matcher(out.substring(out.indexOf(':', at) + 1));
        while (m.find() && hex.length() < 128) {
            hex.append(m.group());
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * Decrypts {@code length} payload bytes at {@code payloadOffset} of {@code container} with the
     * reference XTS (Bouncy Castle AES, byte-wise tweak) and compares them with {@code plain} from
     * {@code plainOffset}, 4 MiB at a time.
     */
    static void assertDecryptsTo(Path container, long payloadOffset, byte[] volumeKey, Path plain, long plainOffset,
                                 long length) throws IOException {
        int chunk = 4 << 20;
        try (FileChannel c = FileChannel.open(container); FileChannel p = FileChannel.open(plain)) {
            for (long done = 0; done < length; done += chunk) {
                int n = (int) Math.min(chunk, length - done);
                byte[] enc = read(c, payloadOffset + done, n);
                ReferenceXts.decryptPayload(volumeKey, enc, 512, done);
                byte[] expected = read(p, plainOffset + done, n);
                assertArrayEquals(expected, enc, "decrypted payload differs from the plaintext at byte " + done);
            }
        }
    }

    static byte[] read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new IOException("file ends before byte " + (pos + n));
            }
        }
        return b.array();
    }

    /** Copies {@code [offset, offset + length)} of a file into a new file. */
    static Path slice(Path file, long offset, long length, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(file);
             FileChannel out = FileChannel.open(target, java.nio.file.StandardOpenOption.CREATE_NEW,
                     java.nio.file.StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < length) {
                done += in.transferTo(offset + done, length - done, out.position(done));
            }
        }
        return target;
    }

    /** Mounts a tmpfs of {@code size} (e.g. "8m") on {@code dir}; the tests run as root on CI. */
    static void mountTmpfs(Path dir, String size, boolean readOnly) throws Exception {
        Tools.Result r = Tools.run("mount", "-t", "tmpfs", "-o", (readOnly ? "ro," : "") + "size=" + size, "tmpfs",
                dir.toString());
        if (r.exit() != 0) {
            fail("this test needs root to mount a tmpfs (mount -t tmpfs -o size=" + size + "): " + r.out());
        }
    }

    static void umount(Path dir) throws Exception {
        Tools.run("umount", dir.toString());
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertExit(int expected, Result r) {
        assertEquals(expected, r.exit(), "exit code; stderr:\n" + r.err());
    }
}

package dev.cvmfde.imagebuilder.luks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real tools that judge our output (cryptsetup, qemu-img, debugfs, mke2fs). */
final class ExternalTool {

    record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    /** Runs {@code command}; fails the test clearly if the program is not installed. */
    static Result run(String... command) {
        requireOnPath(command[0]);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 300 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command[0], e);
        }
    }

    /** Runs and requires exit code 0. */
    static String ok(String... command) {
        Result r = run(command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    static void requireOnPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        fail(program + " is not installed; these tests check our output with the real tool (apt-get install "
                + switch (program) {
                    case "cryptsetup" -> "cryptsetup-bin";
                    case "qemu-img" -> "qemu-utils";
                    default -> "e2fsprogs";
                } + ")");
    }

    /** The volume key cryptsetup recovers from our header with {@code keyFile}. */
    static byte[] dumpVolumeKey(Path container, Path keyFile) {
        String out = ok("cryptsetup", "luksDump", "--dump-volume-key", "--batch-mode", "--key-file",
                keyFile.toString(), container.toString());
        int at = out.indexOf("MK dump:");
        if (at < 0) {
            at = out.indexOf("Volume key:");
        }
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
}

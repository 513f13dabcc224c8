package dev.cvmfde.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM (what ^C and kill send) in the middle of a write leaves no output and no temp file. */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void encryptDisk_sigtermMidWrite_nothingLeftBehind() throws Exception {
        Path input = Tools.sparseRaw(dir, "disk.raw", 1L << 30, 5);
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path out = Files.createDirectories(dir.resolve("out"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ImageBuilderCli.class.getName(), "encrypt-disk", "--input",
                input.toString(), "--dek", dek.toString(), "--output", out.resolve("disk.encrypted.raw").toString(),
                "--quiet").redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (CliRun.listing(out).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "the write ended before it could be interrupted: " + Files.readString(dir.resolve("log")));
        assertTrue(CliRun.listing(out).getFirst().endsWith(".partial"), CliRun.listing(out).toString());
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(List.of(), CliRun.listing(out), "left behind after SIGTERM");
    }
}

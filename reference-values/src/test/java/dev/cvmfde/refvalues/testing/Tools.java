package dev.cvmfde.refvalues.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the tests compare against; a missing tool fails the test clearly. */
public final class Tools {
    private Tools() {
    }

    public static String run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, null);
    }

    public static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail("external tool " + cmd.getFirst() + " is missing (CI installs it): " + e.getMessage());
            throw e;
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> cmd + " failed: " + text);
        return text;
    }

    public static Path vector(String feature, String name) {
        return Path.of("src/test/resources/vectors", feature, name);
    }
}

package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one file-system tool (mtools, debugfs, mke2fs, e2fsck) with a bounded wait and bounded
 * output, so a failure can name the tool, its exit status and what it printed; a tool that is
 * not installed is an error naming its Debian package.
 */
final class ExternalTool {
    /** Longest any single call may run. */
    static final long TIMEOUT_SECONDS = 600;
    /** Tool output kept for error messages and for the callers that parse it. */
    static final int MAX_OUTPUT_BYTES = 1 << 20;

    /** Exit status, what the tool printed on stdout and on stderr (each bounded). */
    record Result(int exit, String output, String errors) {
        boolean ok() {
            return exit == 0;
        }
    }

    private ExternalTool() {
    }

    static Result exec(List<String> command, Map<String, String> env, String debianPackage) throws EncryptException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        String path = pb.environment().getOrDefault("PATH", "/usr/bin:/bin");
        pb.environment().put("PATH", path + ":/usr/sbin:/sbin");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new EncryptException(EncryptException.Step.TOOL, command.getFirst() + " is not installed (Debian package: "
                    + debianPackage + ")", e);
        }
        try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
            p.getOutputStream().close();
            // stderr of these tools is small; read it on a thread so neither pipe can fill up
            var errBytes = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread.ofVirtual().start(() -> {
                try {
                    byte[] b = err.readNBytes(MAX_OUTPUT_BYTES);
                    err.transferTo(java.io.OutputStream.nullOutputStream());
                    errBytes.complete(b);
                } catch (IOException e) {
                    errBytes.complete(new byte[0]);
                }
            });
            byte[] o = out.readNBytes(MAX_OUTPUT_BYTES);
            out.transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EncryptException(EncryptException.Step.TOOL, command.getFirst() + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(o, StandardCharsets.UTF_8),
                    new String(errBytes.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new EncryptException(EncryptException.Step.TOOL, command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EncryptException(EncryptException.Step.TOOL, command.getFirst() + " interrupted", e);
        }
    }
}

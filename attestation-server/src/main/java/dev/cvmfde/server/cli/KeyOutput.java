package dev.cvmfde.server.cli;

import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.KeySink;
import dev.cvmfde.server.UnlockOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code --key-output} sends the released key: {@code -} (this program's stdout, for
 * scripts) or {@code fd:N} (a descriptor the caller passed in, normally a pipe from the agent).
 * Never a path: a key must not touch the disk, so regular files are refused, also behind an fd.
 */
sealed interface KeyOutput extends KeySink {
    Pattern FD = Pattern.compile("fd:(\\d{1,7})");
    /** Where Linux shows this process's open descriptors. */
    Path PROC_FDS = Path.of("/proc/self/fd");

    String describe();

    record Stdout(OutputStream out) implements KeyOutput {
        public String describe() {
            return "stdout";
        }

        public UnlockOutcome accept(SecretBytes key) throws IOException {
            key.use(bytes -> write(out, bytes));
            out.flush();
            return UnlockOutcome.unlocked("key handed to stdout");
        }
    }

    record Descriptor(int fd, Path path) implements KeyOutput {
        public String describe() {
            return "fd " + fd;
        }

        public UnlockOutcome accept(SecretBytes key) throws IOException {
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                key.use(bytes -> write(out, bytes));
            }
            return UnlockOutcome.unlocked("key handed to fd " + fd);
        }
    }

    /** Parses and checks {@code --key-output}; refuses anything that could be a file on disk. */
    static KeyOutput parse(String spec, OutputStream stdout) throws UsageException {
        if ("-".equals(spec)) {
            return new Stdout(stdout);
        }
        Matcher fd = FD.matcher(spec);
        if (!fd.matches()) {
            throw new UsageException("--key-output is '" + spec + "'; '-' (stdout) or 'fd:N' (an inherited pipe)"
                    + " is required: the key is never written to a file on disk");
        }
        int number = Integer.parseInt(fd.group(1));
        Path path = PROC_FDS.resolve(Integer.toString(number));
        if (!Files.exists(path)) {
            throw new UsageException("--key-output fd:" + number + ": descriptor " + number
                    + " is not open in this process (" + path + " does not exist); pass it from the caller, e.g. 3>&1");
        }
        if (Files.isRegularFile(path) || Files.isDirectory(path)) {
            throw new UsageException("--key-output fd:" + number + " refers to a file or directory on disk; "
                    + "pass a pipe: the key is never written to disk");
        }
        return new Descriptor(number, path);
    }

    private static Void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing the key failed: " + e.getMessage(), e);
        }
    }
}

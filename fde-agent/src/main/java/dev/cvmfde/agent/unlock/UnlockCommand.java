package dev.cvmfde.agent.unlock;

import dev.cvmfde.agent.unlock.internal.KeyPipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the unlock command ({@code cryptsetup open --header {header} --disable-keyring {device}
 * {name} --key-file=-} at boot) with the key on its standard input through a pipe — never a
 * file, never an argument, never an environment variable. {@code {header}} is the validated
 * header copy ({@code ValidatedHeader#writeCopy}).
 */
public final class UnlockCommand {
    /** Output kept from the command (its error message); the rest is read and dropped. */
    public static final int MAX_OUTPUT_BYTES = 4096;
    /** Exit status reported when the command did not finish within its timeout. */
    public static final int TIMED_OUT = -1;

    private final List<String> template;
    private final Duration timeout;

    public UnlockCommand(List<String> template, Duration timeout) {
        this.template = List.copyOf(template);
        this.timeout = timeout;
    }

    /** The command line for {@code device}, {@code name} and the validated header copy {@code header}. */
    public List<String> argv(Path device, String name, Path header) {
        return template.stream().map(a -> a.replace("{device}", device.toString()).replace("{name}", name)
                .replace("{header}", header.toString())).toList();
    }

    /** Runs the command with {@code key} on its stdin; the caller keeps ownership of (and zeroizes) {@code key}. */
    public UnlockResult run(Path device, String name, Path header, byte[] key) throws IOException, InterruptedException {
        List<String> argv = argv(device, name, header);
        Process process;
        try (KeyPipe pipe = KeyPipe.holding(key)) {
            process = new ProcessBuilder(argv).redirectInput(pipe.readEnd()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new UnlockResult.Refused(127, "cannot run " + argv.getFirst() + ": " + e.getMessage());
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().name("unlock-output").start(() -> drain(process.getInputStream(), output));
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return new UnlockResult.Refused(TIMED_OUT, argv.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
        }
        reader.join(Duration.ofSeconds(2));
        String text;
        synchronized (output) {
            text = output.toString(StandardCharsets.UTF_8);
        }
        int status = process.exitValue();
        String last = lastLine(text);
        return status == 0
                ? new UnlockResult.Opened(last.isEmpty() ? argv.getFirst() + " succeeded" : last)
                : new UnlockResult.Refused(status, last.isEmpty() ? argv.getFirst() + " exited with status " + status : last);
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    int room = MAX_OUTPUT_BYTES - out.size();
                    if (room > 0) {
                        out.write(buf, 0, Math.min(room, n));
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; what was read is kept
        }
    }

    /** The last non-blank line, control characters replaced, at most 300 characters. */
    static String lastLine(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty()) {
                String clean = l.replaceAll("\\p{Cntrl}", "?");
                return clean.length() > 300 ? clean.substring(0, 300) : clean;
            }
        }
        return "";
    }
}

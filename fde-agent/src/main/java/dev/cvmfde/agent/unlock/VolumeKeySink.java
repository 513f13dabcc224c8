package dev.cvmfde.agent.unlock;

import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.KeySink;
import dev.cvmfde.server.UnlockOutcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's {@link KeySink}: opens the root volume with the released key, through the
 * validated header copy only, and accepts the result only when the volume key is the one the
 * image builder recorded ({@link VolumeKeyCheck}). A key that does not open it is reported
 * (console and ack) and the server keeps waiting for another release; a volume whose key is not
 * the recorded one is closed again and refused for good ({@link #refusal()}).
 */
public final class VolumeKeySink implements KeySink {
    /** How long {@code cryptsetup close} may take when a mapping is refused. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private final UnlockCommand command;
    private final VolumeKeyCheck keyCheck;
    private final Path device;
    private final Path header;
    private final LuksHeaderPin pin;
    private final String mapperName;
    private final AgentConsole console;
    private final boolean checkOnly;
    private final AtomicBoolean opened = new AtomicBoolean();
    private final AtomicReference<String> refusal = new AtomicReference<>();

    /**
     * @param header the validated header copy every command reads instead of the disk's header
     * @param checkOnly nothing is mapped (a host run without a kernel): the key is checked with
     *     {@link VolumeKeyCheck#dump} alone, and the console and the ack say so
     */
    public VolumeKeySink(UnlockCommand command, VolumeKeyCheck keyCheck, Path device, Path header, LuksHeaderPin pin,
                         String mapperName, AgentConsole console, boolean checkOnly) {
        this.command = command;
        this.keyCheck = keyCheck;
        this.device = device;
        this.header = header;
        this.pin = pin;
        this.mapperName = mapperName;
        this.console = console;
        this.checkOnly = checkOnly;
    }

    @Override
    public UnlockOutcome accept(SecretBytes key) throws Exception {
        if (refusal.get() != null) {
            return UnlockOutcome.failed("volume refused: " + refusal.get());
        }
        console.say("key released by the verifier (" + key.length() + " bytes); " + (checkOnly
                ? "checking it against " + device + " (cryptsetup luksDump of the validated header; nothing mapped)"
                : "opening " + device + " as " + mapperName + " with the validated header copy"));
        UnlockResult result = key.use(bytes -> {
            try {
                return checkOnly ? keyCheck.dump(header, bytes, pin) : openAndCheck(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new UnlockResult.Refused(UnlockCommand.TIMED_OUT, "interrupted");
            } catch (IOException e) {
                return new UnlockResult.Refused(127, e.getMessage());
            }
        });
        return switch (result) {
            case UnlockResult.Opened o -> {
                opened.set(true);
                if (checkOnly) {
                    console.say("key OK: it opens the LUKS volume " + device + " and its " + o.detail()
                            + " (test only: no kernel, nothing mapped)");
                    yield UnlockOutcome.unlocked("the key opens " + device + " (validated header, volume key fingerprint"
                            + " matches; no kernel, nothing mapped)");
                }
                console.say("unlocked: " + device + " is open as /dev/mapper/" + mapperName + "; " + o.detail());
                yield UnlockOutcome.unlocked(mapperName + " opened from " + device + " (validated header, volume key"
                        + " fingerprint matches)");
            }
            case UnlockResult.Refused r -> {
                console.say("unlock FAILED (status " + r.exitStatus() + "): " + r.message() + "; still waiting for a verifier");
                yield UnlockOutcome.failed("cryptsetup status " + r.exitStatus() + ": " + r.message());
            }
            case UnlockResult.VolumeRefused v -> {
                refusal.set("LUKS volume: " + v.field() + ": " + v.message());
                console.say("REFUSED: LUKS volume " + device + ": " + v.field() + ": " + v.message()
                        + (checkOnly ? "" : "; the mapping was removed") + "; the root stays locked");
                yield UnlockOutcome.failed("volume refused: " + v.field() + ": " + v.message());
            }
        };
    }

    private UnlockResult openAndCheck(byte[] bytes) throws IOException, InterruptedException {
        UnlockResult open = command.run(device, mapperName, header, bytes);
        if (!(open instanceof UnlockResult.Opened)) {
            return open;
        }
        UnlockResult check = keyCheck.mapped(mapperName, pin);
        if (check instanceof UnlockResult.Opened) {
            return check;
        }
        closeMapping();
        return check instanceof UnlockResult.VolumeRefused ? check
                : new UnlockResult.VolumeRefused("mapping", "the mapped key could not be checked: " + check);
    }

    private void closeMapping() {
        try {
            Process p = new ProcessBuilder(List.of("cryptsetup", "close", mapperName))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                console.say("cryptsetup close " + mapperName + " failed; the refused mapping may remain (nothing mounts it)");
            }
        } catch (IOException e) {
            console.say("cannot run cryptsetup close " + mapperName + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a key has opened the volume (also true if the server was closed during the ack). */
    public boolean opened() {
        return opened.get();
    }

    /** Why the volume was refused for good (its key is not the recorded one), if it was. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal.get());
    }
}

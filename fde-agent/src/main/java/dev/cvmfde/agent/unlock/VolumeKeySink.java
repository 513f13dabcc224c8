package dev.cvmfde.agent.unlock;

import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.KeySink;
import dev.cvmfde.server.UnlockOutcome;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's {@link KeySink}: opens the root volume with the released key. A key that does not
 * open it is reported (console and ack) and the server keeps waiting for another release.
 */
public final class VolumeKeySink implements KeySink {
    private final UnlockCommand command;
    private final Path device;
    private final String mapperName;
    private final AgentConsole console;
    private final boolean checkOnly;
    private final AtomicBoolean opened = new AtomicBoolean();

    public VolumeKeySink(UnlockCommand command, Path device, String mapperName, AgentConsole console) {
        this(command, device, mapperName, console, false);
    }

    /**
     * As above; {@code checkOnly}: the command only checks the key (a host run without a kernel,
     * {@code cryptsetup open --test-passphrase}), and the console and the ack say so instead of
     * claiming a mapped volume.
     */
    public VolumeKeySink(UnlockCommand command, Path device, String mapperName, AgentConsole console, boolean checkOnly) {
        this.command = command;
        this.device = device;
        this.mapperName = mapperName;
        this.console = console;
        this.checkOnly = checkOnly;
    }

    @Override
    public UnlockOutcome accept(SecretBytes key) throws Exception {
        console.say("key released by the verifier (" + key.length() + " bytes); " + (checkOnly
                ? "checking it against " + device + " (cryptsetup --test-passphrase)" : "opening " + device + " as " + mapperName));
        UnlockResult result = key.use(bytes -> {
            try {
                return command.run(device, mapperName, bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new UnlockResult.Refused(UnlockCommand.TIMED_OUT, "interrupted");
            } catch (java.io.IOException e) {
                return new UnlockResult.Refused(127, e.getMessage());
            }
        });
        return switch (result) {
            case UnlockResult.Opened o -> {
                opened.set(true);
                if (checkOnly) {
                    console.say("key OK: it opens the LUKS volume " + device + " (test only: no kernel, nothing mapped)");
                    yield UnlockOutcome.unlocked("the key opens " + device + " (cryptsetup --test-passphrase; no kernel,"
                            + " nothing mapped)");
                }
                console.say("unlocked: " + device + " is open as /dev/mapper/" + mapperName);
                yield UnlockOutcome.unlocked(mapperName + " opened from " + device);
            }
            case UnlockResult.Refused r -> {
                console.say("unlock FAILED (status " + r.exitStatus() + "): " + r.message() + "; still waiting for a verifier");
                yield UnlockOutcome.failed("cryptsetup status " + r.exitStatus() + ": " + r.message());
            }
        };
    }

    /** Whether a key has opened the volume (also true if the server was closed during the ack). */
    public boolean opened() {
        return opened.get();
    }
}

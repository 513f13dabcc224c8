package dev.cvmfde.server;

import dev.cvmfde.protocol.secret.SecretBytes;

/**
 * Receives the disk key once a release has passed every check of {@code ReleaseOpener}: the
 * fde-agent runs {@code cryptsetup open} with it, the CLI writes it to stdout or a pipe. The
 * server calls it from one thread at a time, never on a network thread, and zeroizes the key as
 * soon as it returns: the sink must not keep the {@link SecretBytes} or the array it lends.
 *
 * <p>Its {@link UnlockOutcome} goes back to the verifier in the ack: {@code Unlocked} stops the
 * server, {@code Failed} (a wrong key, cryptsetup failing) keeps it serving. An exception counts
 * as {@code Failed}; its message is logged, so it must not contain key bytes.
 */
@FunctionalInterface
public interface KeySink {
    UnlockOutcome accept(SecretBytes key) throws Exception;
}

package dev.cvmfde.server;

import dev.cvmfde.protocol.secret.SecretBytes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A key sink for tests: copies each key it is given and answers with the outcome function's result. */
final class RecordingSink implements KeySink {
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<SecretBytes> lent = new CopyOnWriteArrayList<>();
    private final Function<byte[], UnlockOutcome> outcome;

    RecordingSink(Function<byte[], UnlockOutcome> outcome) {
        this.outcome = outcome;
    }

    static RecordingSink unlocking() {
        return new RecordingSink(key -> UnlockOutcome.unlocked("test volume opened"));
    }

    @Override
    public UnlockOutcome accept(SecretBytes key) {
        lent.add(key);
        byte[] copy = key.copy();
        received.add(copy);
        return outcome.apply(copy);
    }
}

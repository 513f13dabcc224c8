package dev.cvmfde.client.release;

/**
 * The exchange with the guest failed before a verdict could be delivered or acknowledged: the
 * connection, a timeout, or a peer that broke the protocol. {@link #step()} names where;
 * {@link #retryable()} is true only for failures a guest that is still booting can cause
 * (refused or dropped connections, timeouts before the evidence arrived). Messages never contain
 * key bytes.
 */
public final class ReleaseException extends Exception {
    /** Where the exchange failed, in exchange order. */
    public enum Step {
        CONNECT("connect"), REQUEST("evidence-request"), EVIDENCE("evidence"), CREDENTIAL("credential"),
        BINDING("binding"), RELEASE("release"), ACK("ack");

        private final String label;

        Step(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Step step;
    private final boolean retryable;

    public ReleaseException(Step step, boolean retryable, String message, Throwable cause) {
        super(step.label() + ": " + message, cause);
        this.step = step;
        this.retryable = retryable;
    }

    public Step step() {
        return step;
    }

    /** True when trying again (new connection, new nonce) may succeed: nothing was verified or released. */
    public boolean retryable() {
        return retryable;
    }
}

package dev.cvmfde.server.provider.internal;

/**
 * A system call failed with an exact errno (captured through FFM, not guessed from a message).
 * Internal: {@link KernelErrors} turns it into an {@code EvidenceException} that says what to do.
 */
public final class ErrnoException extends Exception {
    private final int errno;
    private final String call;
    private final String target;

    public ErrnoException(int errno, String call, String target, String detail) {
        super(call + " " + target + ": " + Errno.name(errno) + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.errno = errno;
        this.call = call;
        this.target = target;
    }

    public ErrnoException(int errno, String call, String target) {
        this(errno, call, target, "");
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }

    public String target() {
        return target;
    }
}

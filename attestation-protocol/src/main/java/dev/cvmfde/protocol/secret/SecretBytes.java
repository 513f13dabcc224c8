package dev.cvmfde.protocol.secret;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Secret key material (a disk key, a key file's bytes). {@code toString()} never shows the
 * bytes, equality is constant time, and {@link #close()} zeroizes them. Instances own their
 * array: factories copy or take ownership, and nothing hands the internal array out except
 * {@link #use(Function)}, whose callback must not keep it.
 */
public final class SecretBytes implements AutoCloseable {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code source}; the caller still owns (and should zeroize) its array. */
    public static SecretBytes copyOf(byte[] source) {
        return new SecretBytes(source.clone());
    }

    /** Takes ownership of {@code source}: it is zeroized when this object is closed. */
    public static SecretBytes takeOwnership(byte[] source) {
        return new SecretBytes(source);
    }

    public int length() {
        checkAlive();
        return bytes.length;
    }

    /** A copy of the secret; the caller must zeroize it ({@code Arrays.fill(copy, (byte) 0)}). */
    public byte[] copy() {
        checkAlive();
        return bytes.clone();
    }

    /** Lends the bytes to {@code action} without copying; the callback must not keep or change them. */
    public <R> R use(Function<byte[], R> action) {
        checkAlive();
        return action.apply(bytes);
    }

    /** Constant-time comparison of the contents. */
    public boolean sameAs(SecretBytes other) {
        checkAlive();
        other.checkAlive();
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Zeroizes the bytes; later use throws {@link IllegalStateException}. */
    @Override
    public void close() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("secret was already zeroized");
        }
    }

    @Override
    public String toString() {
        return destroyed ? "SecretBytes[zeroized]" : "SecretBytes[" + bytes.length + " bytes, redacted]";
    }
}

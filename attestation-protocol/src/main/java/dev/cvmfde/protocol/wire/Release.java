package dev.cvmfde.protocol.wire;

import java.util.regex.Pattern;

/**
 * Verifier → guest: the key, as a compact JWS by the verifier over a JWE to the guest's
 * ephemeral key (see {@code dev.cvmfde.protocol.release}). Only the form is checked here;
 * {@code ReleaseOpener} checks everything else.
 */
public record Release(String jws) implements Message {
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    public Release {
        if (jws == null || jws.isEmpty()) {
            throw new IllegalArgumentException("jws is required");
        }
        if (jws.length() > WireLimits.MAX_RELEASE_JWS_CHARS) {
            throw new IllegalArgumentException("jws holds " + jws.length() + " characters; at most "
                    + WireLimits.MAX_RELEASE_JWS_CHARS + " are allowed");
        }
        if (!COMPACT_JWS.matcher(jws).matches()) {
            throw new IllegalArgumentException("jws is not a compact JWS (three base64url parts separated by dots)");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.RELEASE;
    }

    @Override
    public String toString() {
        return "Release[jws=" + jws.length() + " characters]";
    }
}

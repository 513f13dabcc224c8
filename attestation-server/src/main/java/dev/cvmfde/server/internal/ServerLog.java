package dev.cvmfde.server.internal;

/**
 * The one logger of the server ({@value #NAME}, a {@link System.Logger}, so java.util.logging by
 * default). Nothing logged here contains key bytes, nonces or tokens: peers, sizes, check names.
 */
public final class ServerLog {
    public static final String NAME = "dev.cvmfde.server";
    public static final System.Logger LOGGER = System.getLogger(NAME);

    private ServerLog() {
    }
}

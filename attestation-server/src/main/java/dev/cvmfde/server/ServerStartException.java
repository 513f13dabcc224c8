package dev.cvmfde.server;

/** The server could not start: the address could not be bound, or the configuration is unusable. */
public final class ServerStartException extends Exception {
    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.cvmfde.client.broker;

/** The image store could not answer (unreachable database, unreadable file, a wrapped key that will not unwrap). */
public final class BrokerStoreException extends Exception {
    public BrokerStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.cvmfde.client.broker.internal;

/** The broker's logger (java.util.logging via System.Logger); lines never hold key material. */
public final class BrokerLog {
    public static final System.Logger LOGGER = System.getLogger("dev.cvmfde.client.broker");

    private BrokerLog() {
    }
}

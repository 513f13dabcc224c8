package dev.cvmfde.client.broker;

import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.time.Instant;
import java.util.List;

/**
 * What the broker needs of the image store, and nothing more: the baselines an image may boot
 * now (two during a rollout window), its key unwrapped for one release, and the audit trail.
 * {@link ImageStoreAdapter} provides it over {@code dev.cvmfde.client.store}; the broker holds no
 * state of its own, so brokers sharing a store are interchangeable. Implementations are
 * thread-safe.
 */
public interface BrokerStore extends AutoCloseable {

    /**
     * The baselines {@code imageId} may boot at {@code now}; empty when the store has no such image.
     *
     * @throws BrokerStoreException when the store cannot answer (the broker then releases nothing)
     */
    List<ReferenceBaseline> acceptableBaselines(String imageId, Instant now) throws BrokerStoreException;

    /** The image's disk key, unwrapped; the caller closes (zeroizes) it. */
    SecretBytes unwrapKey(String imageId) throws BrokerStoreException;

    /**
     * Appends one record to the audit trail. A release is sent only after its record was written:
     * when this throws, the sealed release is dropped and the guest is told to retry.
     */
    void record(AuditEvent event) throws BrokerStoreException;

    @Override
    void close();
}

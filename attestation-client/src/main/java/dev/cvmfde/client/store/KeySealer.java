package dev.cvmfde.client.store;

import dev.cvmfde.protocol.secret.SecretBytes;

/**
 * Seals an image's key for one guest inside {@link ImageStore#release}: gets the unwrapped key,
 * returns what will be sent (e.g. the release message). It must not keep the key; the store
 * zeroizes it when the sealer returns.
 */
@FunctionalInterface
public interface KeySealer<T> {
    T seal(SecretBytes key) throws Exception;
}

package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.InvalidBaselineException;
import dev.cvmfde.client.store.SignedBaseline;
import dev.cvmfde.client.store.StoredBaseline;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.HashJsonException;
import java.time.Instant;
import java.util.Optional;

/** What the store checks of a baseline before keeping it: the checks stage {@code baseline} makes at release. */
final class BaselineChecks {
    private BaselineChecks() {
    }

    static StoredBaseline check(ImageId id, SignedBaseline b, Instant now) throws InvalidBaselineException {
        byte[] json = b.hashJson();
        if (BaselineSignature.verify(json, b.detachedJws(), b.signer()) instanceof BaselineSignature.Invalid(String why)) {
            throw new InvalidBaselineException("baseline for image '" + id + "': hash.json-signature: " + why
                    + " (nothing was stored)");
        }
        try {
            HashJson.parse(json);
        } catch (HashJsonException e) {
            throw new InvalidBaselineException("baseline for image '" + id + "': hash.json does not parse: "
                    + e.getMessage() + " (nothing was stored)", e);
        }
        return new StoredBaseline(json, b.detachedJws().strip(), b.signer().toPublicJWK(), now, Optional.empty());
    }
}

package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.ImageEntry;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.StoredBaseline;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One image as a backend keeps it: id, when added, the wrapped key, the baselines (newest first). */
public record StoredImage(ImageId id, Instant addedAt, Envelope envelope, List<StoredBaseline> baselines) {
    public StoredImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(addedAt, "addedAt");
        Objects.requireNonNull(envelope, "envelope");
        baselines = List.copyOf(baselines);
    }

    ImageEntry entry() {
        return new ImageEntry(id, addedAt, baselines);
    }

    StoredImage withBaselines(List<StoredBaseline> newBaselines) {
        return new StoredImage(id, addedAt, envelope, newBaselines);
    }
}

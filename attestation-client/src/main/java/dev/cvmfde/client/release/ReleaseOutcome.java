package dev.cvmfde.client.release;

import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.protocol.wire.Refusal;
import java.util.List;
import java.util.Objects;

/** How an exchange with a guest ended, with the appraisal the decision rests on. */
public sealed interface ReleaseOutcome {

    Appraisal appraisal();

    /** The key was released and the guest acknowledged that it unlocked. */
    record Unlocked(Affirming appraisal, String detail) implements ReleaseOutcome {
        public Unlocked {
            Objects.requireNonNull(appraisal, "appraisal");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The key was released but the guest reports it did not unlock (its detail says why). */
    record NotUnlocked(Affirming appraisal, String detail) implements ReleaseOutcome {
        public NotUnlocked {
            Objects.requireNonNull(appraisal, "appraisal");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** No key was released: the guest was sent these reasons. */
    record Refused(Appraisal appraisal, List<Refusal.Reason> reasons) implements ReleaseOutcome {
        public Refused {
            Objects.requireNonNull(appraisal, "appraisal");
            reasons = List.copyOf(reasons);
        }
    }
}

package dev.cvmfde.client.release;

import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/** How an exchange with a guest ended, with the appraisal the decision rests on. */
public sealed interface ReleaseOutcome {

    Appraisal appraisal();

    /**
     * Every check passed: the key was sealed to the affirmed guest's ephemeral key and sent. What
     * the guest answered is only its claim ({@link GuestReport}).
     */
    record Released(Affirming appraisal, GuestReport guestReport) implements ReleaseOutcome {
        public Released {
            Objects.requireNonNull(appraisal, "appraisal");
            Objects.requireNonNull(guestReport, "guestReport");
        }
    }

    /**
     * No key was released. The guest was sent only the names of the failed stages
     * ({@link #stagesSentToGuest()}); {@code reasons}, with what was expected and what came, stay
     * on the host.
     */
    record Refused(Appraisal appraisal, List<Reason> reasons) implements ReleaseOutcome {
        public Refused {
            Objects.requireNonNull(appraisal, "appraisal");
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("a refusal has at least one reason");
            }
        }

        /** The distinct failed stages, in the order of the reasons: all the guest is told. */
        public List<String> stagesSentToGuest() {
            return List.copyOf(new LinkedHashSet<>(reasons.stream().map(Reason::stage).toList()));
        }
    }

    /** One failed check, for the host's eyes: its stage and what was expected and what came. */
    record Reason(String stage, String detail) {
        public Reason {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(detail, "detail");
        }
    }
}

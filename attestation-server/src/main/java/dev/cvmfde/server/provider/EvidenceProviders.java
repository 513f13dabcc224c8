package dev.cvmfde.server.provider;

import dev.cvmfde.server.provider.internal.ConfigfsIo;
import dev.cvmfde.server.provider.internal.TsmProvider;
import dev.cvmfde.server.provider.internal.VirtCcaProvider;
import java.util.List;
import java.util.Objects;

/**
 * Selects a provider by the name a user typed ({@code --provider tsm}). Making a provider touches
 * no device; a missing device shows up, with advice, on the first {@link EvidenceProvider#collect}.
 */
public final class EvidenceProviders {

    /** The names {@link #byName} accepts, in the order {@code --help} should list them. */
    public static final List<String> NAMES = List.of(TsmProvider.NAME, VirtCcaProvider.NAME);

    private EvidenceProviders() {
    }

    public static EvidenceProvider byName(String name, ProviderOptions options) throws EvidenceException {
        Objects.requireNonNull(options, "options");
        return switch (name) {
            case TsmProvider.NAME -> new TsmProvider(options.tsmReportRoot(), options.acpiTablesRoot(),
                    ConfigfsIo.kernel());
            case VirtCcaProvider.NAME -> new VirtCcaProvider(options.tsiDevice(), options.acpiTablesRoot());
            case null -> throw unknown("no provider name given");
            default -> throw unknown("unknown provider '" + name + "'");
        };
    }

    private static EvidenceException unknown(String what) {
        return new EvidenceException(EvidenceException.Kind.UNKNOWN_PROVIDER,
                what + "; known providers: " + String.join(", ", NAMES));
    }
}

package dev.cvmfde.server.provider;

import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.server.provider.internal.CcelReader;
import dev.cvmfde.server.provider.internal.ConfigfsIo;
import dev.cvmfde.server.provider.internal.TsmProvider;
import dev.cvmfde.server.provider.internal.VirtCcaProvider;
import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Selects a provider by the name a user typed ({@code --provider tsm}). Making a provider touches
 * no device; a missing device shows up, with advice, on the first {@link EvidenceProvider#collect}.
 */
public final class EvidenceProviders {

    /** The names {@link #byName} accepts, in the order {@code --help} should list them. */
    public static final List<String> NAMES = List.of(TsmProvider.NAME, VirtCcaProvider.NAME, TpmProvider.NAME,
            SimulatedProvider.NAME);

    private EvidenceProviders() {
    }

    public static EvidenceProvider byName(String name, ProviderOptions options) throws EvidenceException {
        Objects.requireNonNull(options, "options");
        return switch (name) {
            case TsmProvider.NAME -> new TsmProvider(options.tsmReportRoot(), options.acpiTablesRoot(),
                    ConfigfsIo.kernel());
            case VirtCcaProvider.NAME -> new VirtCcaProvider(options.tsiDevice(), options.acpiTablesRoot());
            case TpmProvider.NAME -> new TpmProvider(options.tpmDevice(), options.tpmEventLog());
            case SimulatedProvider.NAME -> simulated(options);
            case null -> throw unknown("no provider name given");
            default -> throw unknown("unknown provider '" + name + "'");
        };
    }

    /** The simulated TEE: its identity loaded or fresh, its event log from a file or the platform's CCEL. */
    private static EvidenceProvider simulated(ProviderOptions options) throws EvidenceException {
        SimulatedIdentity identity;
        try {
            identity = options.simulatedIdentity().isPresent() ? SimulatedIdentity.load(options.simulatedIdentity().get())
                    : SimulatedIdentity.generate();
        } catch (KeyMaterialException e) {
            throw new EvidenceException(EvidenceException.Kind.UNAVAILABLE, "simulated: identity: " + e.getMessage()
                    + " (make one with 'attestation-server simulated-identity --out DIR')", e);
        }
        Optional<byte[]> log = options.simulatedEventLog().isPresent()
                ? Optional.of(readEventLog(options.simulatedEventLog().get()))
                : new CcelReader(options.acpiTablesRoot(), SimulatedProvider.NAME).read();
        return new SimulatedProvider(identity, log, System.err);
    }

    private static byte[] readEventLog(Path file) throws EvidenceException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(CcelReader.MAX_EVENT_LOG_BYTES + 1);
            if (bytes.length > CcelReader.MAX_EVENT_LOG_BYTES) {
                throw new EvidenceException(EvidenceException.Kind.TOO_LARGE, "simulated: event log " + file
                        + " is larger than " + CcelReader.MAX_EVENT_LOG_BYTES + " bytes");
            }
            if (bytes.length == 0) {
                throw new EvidenceException(EvidenceException.Kind.MALFORMED, "simulated: event log " + file + " is empty");
            }
            return bytes;
        } catch (IOException e) {
            throw new EvidenceException(EvidenceException.Kind.IO, "simulated: cannot read event log " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static EvidenceException unknown(String what) {
        return new EvidenceException(EvidenceException.Kind.UNKNOWN_PROVIDER,
                what + "; known providers: " + String.join(", ", NAMES));
    }
}

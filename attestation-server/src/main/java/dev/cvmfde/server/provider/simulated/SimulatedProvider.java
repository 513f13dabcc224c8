package dev.cvmfde.server.provider.simulated;

import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.crypto.EcCrypto;
import dev.cvmfde.protocol.token.CcaTokenBuilder;
import dev.cvmfde.protocol.token.CollectionForm;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.RakEncoding;
import dev.cvmfde.protocol.token.RealmAttestationKey;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.protocol.token.SoftwareComponent;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A software TEE for development and tests: signs CCA tokens (tag 399, platform + realm) with
 * its own CPAK and RAK. Its RIM and REMs come from a CCEL event log replayed by reference-values.
 * Everything about it says it is simulated: both profiles ({@link SimulatedTee}), the platform's
 * verification-service claim, its implementation id (ASCII {@value #IMPLEMENTATION_ID_TEXT}), its
 * provider name, and a multi-line warning on stderr each time one is made. A verifier trusts
 * it only when its operator gives this identity's CPAK as the simulated anchor.
 */
public final class SimulatedProvider implements EvidenceProvider {
    public static final String NAME = "simulated";
    /** The platform implementation id (claim 2396), NUL-padded to 32 bytes. */
    public static final String IMPLEMENTATION_ID_TEXT = "cvm-fde SIMULATED platform";
    /** PSA lifecycle "secured" (0x3000): the simulated platform claims nothing unusual but its profile. */
    static final int LIFECYCLE_SECURED = 0x3000;
    static final String WARNING = """
            ******************************************************************************
            * SIMULATED TEE: the 'simulated' evidence provider is in use.                *
            * Its attestation tokens are signed by software keys on this machine, not by *
            * a CCA/virtCCA platform. They prove NOTHING about this guest. A verifier    *
            * accepts them only with this identity's CPAK given as --simulated-anchor.   *
            * Development and tests only; never use it to protect real data.             *
            ******************************************************************************""";
    private static final System.Logger LOG = System.getLogger("dev.cvmfde.server");

    private final SimulatedIdentity identity;
    private final Optional<byte[]> eventLog;
    /** Replaced (never changed) by {@link #extend}; a token reads it once. */
    private volatile SimulatedMeasurements measurements;
    /** The RAK as JCA keys of {@link EcCrypto}'s provider, converted once. */
    private final KeyPair rak;
    /**
     * The platform token, signed once: in CCA it binds only the RAK (its challenge is the RAK's
     * hash), so it is the same for every session of this identity; only the realm token is signed
     * per session.
     */
    private final CoseSign1 platformToken;

    /**
     * @param ccelLog the event log to report and to derive the RIM and REMs from (CCEL form)
     * @throws EvidenceException {@code MALFORMED} if the log does not replay
     */
    public SimulatedProvider(SimulatedIdentity identity, Optional<byte[]> ccelLog, PrintStream warnings)
            throws EvidenceException {
        this.identity = identity;
        this.eventLog = ccelLog.map(byte[]::clone);
        try {
            this.measurements = SimulatedMeasurements.of(eventLog);
        } catch (IOException | EventLogException e) {
            throw new EvidenceException(EvidenceException.Kind.MALFORMED,
                    "simulated: the event log does not replay: " + e.getMessage(), e);
        }
        KeyPair rakJdk = identity.rakKeyPair();
        this.rak = new KeyPair(EcCrypto.publicKey((ECPublicKey) rakJdk.getPublic()),
                EcCrypto.privateKey((ECPrivateKey) rakJdk.getPrivate()));
        try {
            this.platformToken = builder().realm(realmClaims(new byte[RealmClaims.CHALLENGE_BYTES], measurements),
                            CoseAlgorithm.ES384, rak)
                    .platform(platformClaims(), CoseAlgorithm.ES384, identity.cpakKeyPair())
                    .buildPlatform();
        } catch (GeneralSecurityException e) {
            throw new EvidenceException(EvidenceException.Kind.IO, "simulated: signing the platform token failed: "
                    + e.getMessage(), e);
        }
        warnings.println(WARNING);
        warnings.flush();
        LOG.log(Level.WARNING, "SIMULATED TEE in use (CPAK {0}); its evidence proves nothing about this guest",
                identity.cpakThumbprint());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RawEvidence collect(byte[] challenge) throws EvidenceException {
        byte[] copy = EvidenceProvider.requireChallenge(NAME, challenge);
        try {
            byte[] token = builder().realm(realmClaims(copy, measurements), CoseAlgorithm.ES384, rak)
                    .signedPlatform(platformToken)
                    .build();
            return new RawEvidence(NAME, token, eventLog, List.of());
        } catch (GeneralSecurityException e) {
            throw new EvidenceException(EvidenceException.Kind.IO, "simulated: signing the token failed: " + e.getMessage(), e);
        }
    }

    private static CcaTokenBuilder builder() {
        CcaTokenBuilder builder = CcaTokenBuilder.of(CollectionForm.EAT_399);
        EcCrypto.provider().ifPresent(builder::signingProvider);
        return builder;
    }

    /**
     * Extends the simulated realm's REM as RSI_MEASUREMENT_EXTEND would: every token from now on
     * reports the new value. The event log stays the boot's (as a real CCEL, which only firmware
     * and the boot chain write), so a verifier's replay no longer gives the token's REM. The
     * registers live in this object, as a realm's live in the realm: a new provider made from the
     * same identity starts from the boot's values again (the simulated TEE proves nothing anyway).
     */
    @Override
    public synchronized MeasurementExtension extend(MeasurementEvent event) {
        measurements = measurements.extended(event.rem(), event.data());
        MeasurementExtension.Extended done = new MeasurementExtension.Extended(event.rem(), measurements.rems().get(event.rem()));
        LOG.log(Level.INFO, "simulated: extended {0} ({1})", done, event.text());
        return done;
    }

    private RealmClaims realmClaims(byte[] challenge, SimulatedMeasurements now) {
        return new RealmClaims(Optional.of(SimulatedTee.REALM_PROFILE), challenge, new byte[RealmClaims.CHALLENGE_BYTES],
                SimulatedMeasurements.CLAIM_ALGORITHM,
                RealmAttestationKey.of(rak.getPublic(), RakEncoding.COSE_KEY),
                now.rim(), now.rems(), SimulatedMeasurements.CLAIM_ALGORITHM);
    }

    private PlatformClaims platformClaims() {
        byte[] cpakHash = SimulatedMeasurements.CLAIM_ALGORITHM.digest(identity.cpakKeyPair().getPublic().getEncoded());
        byte[] instanceId = new byte[PlatformClaims.INSTANCE_ID_BYTES];
        instanceId[0] = 0x01; // UEID type RAND, followed by a hash of the CPAK
        System.arraycopy(cpakHash, 0, instanceId, 1, cpakHash.length);
        SoftwareComponent rmm = new SoftwareComponent(Optional.of("simulated-rmm"),
                SimulatedMeasurements.CLAIM_ALGORITHM.digest(IMPLEMENTATION_ID_TEXT.getBytes(StandardCharsets.US_ASCII)),
                Optional.of("0"), cpakHash, Optional.of(SimulatedMeasurements.CLAIM_ALGORITHM.claimName()));
        return new PlatformClaims(SimulatedTee.PLATFORM_PROFILE, new byte[32], implementationId(), instanceId, new byte[0],
                LIFECYCLE_SECURED, List.of(rmm), Optional.of(SimulatedTee.VERIFICATION_SERVICE),
                SimulatedMeasurements.CLAIM_ALGORITHM.claimName());
    }

    static byte[] implementationId() {
        return Arrays.copyOf(IMPLEMENTATION_ID_TEXT.getBytes(StandardCharsets.US_ASCII), PlatformClaims.IMPLEMENTATION_ID_BYTES);
    }

    /** The identity whose CPAK a host must trust explicitly. */
    public SimulatedIdentity identity() {
        return identity;
    }
}

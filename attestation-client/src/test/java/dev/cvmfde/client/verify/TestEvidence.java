package dev.cvmfde.client.verify;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.token.CcaTokenBuilder;
import dev.cvmfde.protocol.token.CollectionForm;
import dev.cvmfde.protocol.token.HashAlgorithm;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.RakEncoding;
import dev.cvmfde.protocol.token.RealmAttestationKey;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.SoftwareComponent;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test evidence made from real keys generated per run: a {@link Scenario} holds a CPAK and RAK
 * (P-384 test keys), a boot chain whose predicted CCEL log gives the token's REMs, a baseline
 * for that chain, and builds the token and the {@link EvidenceInput}. Tests change one thing.
 */
final class TestEvidence {
    static final String CMDLINE = "root=/dev/mapper/encroot ro console=ttyAMA0";
    static final String ARM_REALM_PROFILE = "tag:arm.com,2023:realm#1.0.0";
    static final String ARM_PLATFORM_PROFILE = "tag:arm.com,2023:cca_platform#1.0.0";

    /**
     * The waivers for tests of the token alone (signatures, anchors, public vectors): no RIM, no
     * baseline, no event log. Without them the verifier refuses (fails closed).
     */
    static final java.util.Set<Insecure> TOKEN_ONLY = java.util.Set.of(Insecure.NO_RIM, Insecure.NO_BASELINE,
            Insecure.NO_EVENT_LOG);

    private TestEvidence() {
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static byte[] resource(String name) {
        try (InputStream in = TestEvidence.class.getResourceAsStream("/vectors/cca/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TrustAnchor anchorResource(String name) throws TrustAnchorException {
        return TrustAnchor.parse(resource(name), name);
    }

    static Digest sha256(String s) {
        return Digest.of(DigestAlgorithm.SHA256, s.getBytes(StandardCharsets.UTF_8));
    }

    static BootChain chain(String kernelArgs) {
        return new BootChain(sha256("grubaa64.efi image"), new MeasuredFile("/grub/grub.cfg", sha256("grub.cfg")),
                List.of("set root=(hd0,gpt1)"), new MeasuredFile("/vmlinuz-6.6.0", sha256("kernel")), kernelArgs,
                new MeasuredFile("/initramfs-6.6.0.img", sha256("initramfs")));
    }

    static Baseline baseline(BootChain chain, Optional<String> cmdline) {
        KernelEntry k = new KernelEntry(Optional.empty(), chain.kernel().digest(), chain.initramfs().digest(), Map.of());
        return new Baseline(DigestAlgorithm.SHA256, chain.grubImage(), chain.grubCfg().digest(), List.of(k),
                Baseline.Form.FLAT, cmdline.map(c -> Map.of("cmdline", (com.fasterxml.jackson.databind.JsonNode) TextNode.valueOf(c)))
                        .orElse(Map.of()));
    }

    static byte[] log(List<LogEvent> events) {
        try {
            return EventLogWriter.toBytes(new EventLog(LogFormat.CCEL,
                    new EventLogHeader(0, SpecIdEvent.of(List.of(DigestAlgorithm.SHA256))), events));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<byte[]> rems(List<LogEvent> events) {
        try {
            List<byte[]> out = new ArrayList<>();
            Replayer.replay(events, LogFormat.CCEL, DigestAlgorithm.SHA256).values().forEach(d -> out.add(d.value()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code token} with its platform token (claim 44234 entry) replaced by {@code donor}'s, byte
     * for byte: what one realm produces, one platform token for many realm tokens (the platform
     * challenge is H(RAK), so both must carry the same RAK for the binding to hold).
     */
    static byte[] withPlatformOf(byte[] donor, byte[] token) {
        com.upokecenter.cbor.CBORObject d = com.upokecenter.cbor.CBORObject.DecodeFromBytes(donor);
        com.upokecenter.cbor.CBORObject t = com.upokecenter.cbor.CBORObject.DecodeFromBytes(token);
        com.upokecenter.cbor.CBORObject key = com.upokecenter.cbor.CBORObject.FromObject(
                dev.cvmfde.protocol.token.CcaTokenDecoder.PLATFORM_KEY);
        com.upokecenter.cbor.CBORObject platform = d.UntagOne().get(key);
        if (platform == null || !t.UntagOne().ContainsKey(key)) {
            throw new IllegalArgumentException("both tokens need a platform token");
        }
        com.upokecenter.cbor.CBORObject map = t.UntagOne();
        map.Set(key, platform);
        return com.upokecenter.cbor.CBORObject.FromObjectAndTag(map, t.getMostOuterTag()).EncodeToBytes();
    }

    /** {@code b} with one more top-level hash.json field. */
    static Baseline withField(Baseline b, String name, com.fasterxml.jackson.databind.JsonNode value) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> top = new java.util.LinkedHashMap<>(b.extraFields());
        top.put(name, value);
        return new Baseline(b.hashAlg(), b.grub(), b.grubCfg(), b.kernels(), b.form(), top);
    }

    /** Evidence as the simulated TEE makes it (both profiles), its baseline marked {@code "simulated": true}. */
    static Scenario simulatedScenario() {
        Scenario s = new Scenario();
        s.realmProfile = Optional.of(dev.cvmfde.protocol.token.SimulatedTee.REALM_PROFILE);
        s.platformProfile = dev.cvmfde.protocol.token.SimulatedTee.PLATFORM_PROFILE;
        s.baseline = withField(s.baseline, "simulated", com.fasterxml.jackson.databind.node.BooleanNode.TRUE);
        return s;
    }

    static com.nimbusds.jose.jwk.ECKey signer() {
        try {
            return new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static PlatformClaims platformClaims(String profile) {
        byte[] inst = fill(33, 2);
        inst[0] = 1;
        return new PlatformClaims(profile, fill(32, 0), fill(32, 7), inst, new byte[] {1, 2, 3}, 0x3000,
                List.of(new SoftwareComponent(Optional.of("BL"), fill(32, 3), Optional.of("1.0"), fill(32, 4),
                        Optional.of("sha-256"))),
                Optional.empty(), "sha-256");
    }

    /** One piece of evidence and what the verifier is told; fields are changed by the tests. */
    static final class Scenario {
        KeyPair cpak = ec("secp384r1");
        KeyPair rak = ec("secp384r1");
        KeyPair realmSigner = rak;
        byte[] challenge = random(64);
        byte[] rim = fill(32, 0x22);
        List<LogEvent> events = EventLogPredictor.predictEvents(chain(CMDLINE));
        List<LogEvent> tokenEvents = events;
        Baseline baseline = baseline(chain(CMDLINE), Optional.of(CMDLINE));
        Optional<String> realmProfile = Optional.of(ARM_REALM_PROFILE);
        String platformProfile = ARM_PLATFORM_PROFILE;
        boolean cvmOnly;
        byte[] platformChallengeOverride;
        CollectionForm form = CollectionForm.CMW_907;
        dev.cvmfde.protocol.cose.SignatureEncoding encoding = dev.cvmfde.protocol.cose.SignatureEncoding.RAW;
        dev.cvmfde.protocol.token.RealmPayloadForm payloadForm = dev.cvmfde.protocol.token.RealmPayloadForm.MAP;
        CoseAlgorithm platformAlg = CoseAlgorithm.ES384;
        CoseAlgorithm realmAlg = CoseAlgorithm.ES384;
        /** The image builder's key (a P-256 test key made per run). */
        com.nimbusds.jose.jwk.ECKey baselineSigner = signer();

        RealmClaims realmClaims() {
            return new RealmClaims(realmProfile, challenge, fill(64, 0x11), HashAlgorithm.SHA_256,
                    RealmAttestationKey.of(rak.getPublic(), cvmOnly ? RakEncoding.DER_SPKI : RakEncoding.RAW_EC_POINT),
                    rim, rems(tokenEvents), HashAlgorithm.SHA_256);
        }

        byte[] token() {
            try {
                CcaTokenBuilder b = CcaTokenBuilder.of(cvmOnly ? CollectionForm.EAT_399 : form)
                        .realm(realmClaims(), realmAlg, realmSigner).signatureEncoding(encoding).realmPayloadForm(payloadForm);
                if (!cvmOnly) {
                    b.platform(platformClaims(platformProfile), platformAlg, cpak);
                }
                if (platformChallengeOverride != null) {
                    b.platformChallengeOverride(platformChallengeOverride);
                }
                return b.build();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        TrustAnchor anchor() {
            return new TrustAnchor.Key((cvmOnly ? rak : cpak).getPublic(), "test key");
        }

        /** Everything given: challenge, RIM, event log, baseline signed by {@link #baselineSigner}. */
        EvidenceInput.Builder input(byte[] token) {
            return EvidenceInput.builder(token, anchor()).expectedChallenge(challenge).referenceRim(rim)
                    .eventLog(log(events)).baseline(signedBaseline());
        }

        /** {@link #baseline} as hash.json bytes with its detached signature by {@link #baselineSigner}. */
        ReferenceBaseline signedBaseline() {
            byte[] json = HashJson.toBytes(baseline);
            try {
                return ReferenceBaseline.signed(json,
                        Optional.of(dev.cvmfde.protocol.baseline.BaselineSignature.sign(json, baselineSigner)),
                        baselineSigner.toPublicJWK());
            } catch (com.nimbusds.jose.JOSEException e) {
                throw new IllegalStateException(e);
            }
        }

        EvidenceInput.Builder input() {
            return input(token());
        }
    }
}

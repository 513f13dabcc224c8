package dev.cvmfde.agent.selftest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cvmfde.protocol.release.ReleaseFormat;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.WireException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/**
 * A minimal host side of one exchange, from the protocol primitives: request evidence, check
 * that the realm token's challenge binds this session's nonce and the guest's ephemeral key,
 * seal the key to that key, read the ack. It does not appraise the token (no trust anchor, no
 * reference values): it exists for the agent's self-test (the AOT training run) and its tests.
 *
 * <p>Why this unappraised seal is safe: it signs only with a throwaway key that this object makes
 * in memory and never hands out (callers get the public half, to pin in the self-test's own
 * server), and it talks only to loopback addresses. A real guest accepts a release only when it
 * is signed by the verifier key pinned in its measured initramfs, whose private half never leaves
 * the host, so nothing this class seals can open a real guest's volume. The host's sealer
 * (attestation-client {@code KeyRelease}) takes only an affirming appraisal, and
 * attestation-protocol has none, so this writes the {@link ReleaseFormat} envelope itself.
 */
public final class LoopbackVerifier {
    /** Socket timeout for every read. */
    public static final int SO_TIMEOUT_MILLIS = 20_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration RELEASE_LIFETIME = Duration.ofSeconds(60);

    private final ECKey throwawaySigningKey;

    private LoopbackVerifier(ECKey throwawaySigningKey) {
        this.throwawaySigningKey = throwawaySigningKey;
    }

    /** A loopback verifier with a signing key made now, in memory, for this object only. */
    public static LoopbackVerifier withThrowawayKey() {
        return new LoopbackVerifier(VerifierKeys.generate());
    }

    /** The public half of the throwaway signing key: what the self-test's server pins. */
    public ECKey publicKey() {
        return throwawaySigningKey.toPublicJWK();
    }

    /**
     * One full exchange with the agent at {@code agent}; the ack says whether the key opened the volume.
     *
     * @throws IllegalArgumentException if {@code agent} is not a loopback address
     */
    public Ack release(InetSocketAddress agent, SecretBytes key) throws IOException, WireException, TokenDecodeException {
        if (agent.getAddress() == null || !agent.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the loopback verifier talks only to a loopback address, not " + agent);
        }
        try (Socket socket = new Socket()) {
            socket.connect(agent, SO_TIMEOUT_MILLIS);
            socket.setSoTimeout(SO_TIMEOUT_MILLIS);
            FrameReader reader = new FrameReader(socket.getInputStream());
            FrameWriter writer = new FrameWriter(socket.getOutputStream());
            EvidenceRequest request = EvidenceRequest.fresh(RANDOM);
            writer.write(request);
            Evidence evidence = (Evidence) reader.read(Expect.HOST_AWAITING_EVIDENCE);
            byte[] challenge = CcaTokenDecoder.decode(evidence.token()).realm().unverifiedClaims().challenge();
            if (!ChallengeBinding.matches(challenge, request.nonce(), evidence.ephemeralKey())) {
                throw new IOException("binding: the realm challenge does not bind this session's nonce and ephemeral key");
            }
            writer.write(new dev.cvmfde.protocol.wire.Release(
                    selfSeal(key, evidence.ephemeralKey(), request.nonce(), throwawaySigningKey)));
            return (Ack) reader.read(Expect.HOST_AWAITING_ACK);
        }
    }

    @Override
    public String toString() {
        return "LoopbackVerifier[throwaway key " + ReleaseFormat.thumbprint(throwawaySigningKey) + "]";
    }

    /** The release envelope ({@link ReleaseFormat}): the key as a JWE to the guest's key, inside a JWS. */
    private static String selfSeal(SecretBytes key, ECKey guestKey, byte[] nonce, ECKey signingKey) throws IOException {
        byte[] plaintext = key.copy();
        try {
            JWEObject jwe = new JWEObject(new JWEHeader.Builder(ReleaseFormat.KEY_WRAP, ReleaseFormat.CONTENT)
                    .keyID(ReleaseFormat.thumbprint(guestKey)).build(), new Payload(plaintext));
            jwe.encrypt(new ECDHEncrypter(guestKey));
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(RELEASE_LIFETIME)))
                    .claim(ReleaseFormat.NONCE, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce))
                    .claim(ReleaseFormat.CONFIRMATION, Map.of(ReleaseFormat.JWK_THUMBPRINT, ReleaseFormat.thumbprint(guestKey)))
                    .claim(ReleaseFormat.ENCRYPTED_KEY, jwe.serialize())
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ReleaseFormat.SIGNATURE_BY_CURVE.get(signingKey.getCurve()))
                    .type(ReleaseFormat.TYPE).keyID(ReleaseFormat.thumbprint(signingKey)).build(), claims);
            jwt.sign(new ECDSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IOException("self-test release: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }
}

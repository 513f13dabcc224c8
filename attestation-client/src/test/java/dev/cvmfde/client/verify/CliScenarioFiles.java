package dev.cvmfde.client.verify;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

/** Writes a {@link TestEvidence.Scenario} as the files the CLI reads (for the CLI tests). */
public final class CliScenarioFiles {
    public final Path token;
    public final Path anchor;
    public final Path eventLog;
    public final Path hashJson;
    public final Path signerJwk;
    public final String challengeHex;
    public final String rimHex;

    public CliScenarioFiles(Path dir) throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        token = Files.write(dir.resolve("token.cbor"), s.token());
        anchor = Files.writeString(dir.resolve("cpak.pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(s.cpak.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        eventLog = Files.write(dir.resolve("ccel.bin"), TestEvidence.log(s.events));
        byte[] json = HashJson.toBytes(s.baseline);
        hashJson = Files.write(dir.resolve("hash.json"), json);
        ECKey signer = new ECKeyGenerator(Curve.P_384).generate();
        Files.writeString(dir.resolve("hash.json.jws"), BaselineSignature.sign(json, signer));
        signerJwk = Files.writeString(dir.resolve("builder.pub.jwk"), signer.toPublicJWK().toJSONString());
        challengeHex = HexFormat.of().formatHex(s.challenge);
        rimHex = HexFormat.of().formatHex(s.rim);
    }
}

package dev.cvmfde.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sign-baseline}: a hand-made hash.json gets the builder's signature (and its RIM); an edit breaks it. */
class SignBaselineCommandTest {
    @TempDir
    Path dir;

    private Path hashJson() throws Exception {
        Digest d = Digest.of(DigestAlgorithm.SHA256, "x".getBytes(StandardCharsets.UTF_8));
        return Files.write(dir.resolve("hash.json"), HashJson.toBytes(Baseline.flat(d, d, d, d)));
    }

    @Test
    void signBaseline_asIs_signsExactBytesWithNewKey() throws Exception {
        Path file = hashJson();
        byte[] before = Files.readAllBytes(file);
        Path key = dir.resolve("keys/build.jwk");

        CliRun.Result r = CliRun.ok("sign-baseline", "--baseline", file.toString(), "--sign-with", key.toString());

        assertArrayEquals(before, Files.readAllBytes(file), "no change asked: the bytes stay");
        ECKey pub = ECKey.parse(Files.readString(dir.resolve("keys/build.pub.jwk")));
        String jws = Files.readString(dir.resolve("hash.json.jws"));
        assertTrue(BaselineSignature.verify(before, jws, pub).isValid());
        assertTrue(r.err().contains("NEW build key"), r.err());
        byte[] edited = before.clone();
        edited[edited.length / 2] ^= 1;
        assertFalse(BaselineSignature.verify(edited, jws, pub).isValid());
    }

    @Test
    void signBaseline_rimAndSimulated_setThenSigned() throws Exception {
        Path file = hashJson();
        Path key = dir.resolve("build.jwk");

        CliRun.ok("sign-baseline", "--baseline", file.toString(), "--sign-with", key.toString(), "--rim", "AB".repeat(32),
                "--simulated");

        byte[] bytes = Files.readAllBytes(file);
        Baseline b = HashJson.parse(bytes);
        assertEquals("ab".repeat(32), b.extraFields().get("rim").asText());
        assertTrue(b.extraFields().get("simulated").booleanValue());
        ECKey pub = ECKey.parse(Files.readString(dir.resolve("build.pub.jwk")));
        assertTrue(BaselineSignature.verify(bytes, Files.readString(dir.resolve("hash.json.jws")), pub).isValid());
    }

    @Test
    void signBaseline_badRim_usage() throws Exception {
        CliRun.assertExit(2, CliRun.run("sign-baseline", "--baseline", hashJson().toString(), "--sign-with",
                dir.resolve("k.jwk").toString(), "--rim", "abc"));
    }
}

package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.rootfs.BaselineSigning;
import dev.cvmfde.imagebuilder.rootfs.BaselineSigningKey;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code image-builder sign-baseline}: sign a hash.json (optionally setting its RIM) with the build key. */
@Command(name = "sign-baseline", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign a hash.json with the build key (or --sign-with), writing FILE.jws beside it, as 'encrypt'",
            "does for the baselines it writes. attestation-client refuses an unsigned or edited baseline, so a",
            "hand-made hash.json, or one whose RIM became known after the build (--rim: the realm's initial",
            "measurement from its launch configuration, docs/rim.md), is signed here. With --rim or --simulated the",
            "file is rewritten first (atomically); otherwise its exact bytes are signed."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:signed", "1:error (unreadable or invalid hash.json, key not owner-only, I/O)", "2:usage error"},
        footer = {"", "Example:",
            "  image-builder sign-baseline --baseline enc.qcow2.hash.json --rim 5a1e…(64 hex)"})
final class SignBaselineCommand implements Callable<Integer> {
    @Option(names = "--baseline", required = true, paramLabel = "HASH_JSON", description = "the hash.json to sign")
    Path baseline;

    @Option(names = "--rim", paramLabel = "HEX", description = "set \"rim\": the realm initial measurement (32/48/64 bytes in hex)")
    String rim;

    @Option(names = "--simulated", description = "set \"simulated\": true (an image for the simulated TEE)")
    boolean simulated;

    @Option(names = "--sign-with", paramLabel = "JWK", description = "private EC JWK (made there if missing); default: the build key $XDG_CONFIG_HOME/cvm-fde/baseline-signing.jwk")
    Path signWith;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<String> rimHex = RimOption.parse(rim, spec);
        Path key = signWith != null ? signWith
                : BaselineSigningKey.defaultFile(System.getenv(), System.getProperty("user.home"));
        BaselineSigning.Signed s = BaselineSigning.sign(baseline, rimHex, simulated, key);
        spec.commandLine().getErr().println("image-builder: wrote " + s.signature() + "; signed by "
                + (s.signer().created() ? "a NEW build key " : "") + s.signer().privateFile()
                + "; pin on the verifier host: attestation-client --baseline-signer " + s.signer().publicFile());
        return ImageBuilderCli.EXIT_OK;
    }
}

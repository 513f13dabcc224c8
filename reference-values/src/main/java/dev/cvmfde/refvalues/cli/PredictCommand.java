package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.replay.Registers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes the CCEL event log grub's boot chain is predicted to produce. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the CCEL events firmware and grub log for a boot chain and write them as a log.",
            "Prints the REMs that replaying the predicted events gives (REM[2] is exact; firmware events in "
                + "REM[0]/REM[1] are not predicted)."})
final class PredictCommand implements Callable<Integer> {
    @Mixin BootChainOptions files;
    @Option(names = "--grub-cmd", description = "a command grub runs before linux (repeat, in order)")
    List<String> commands = new ArrayList<>();
    @Mixin HashAlgOption hashAlg;
    @Option(names = {"-o", "--output"}, required = true, description = "event log to write (atomically)") Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DigestAlgorithm alg = hashAlg.algorithm();
        BootChain chain = BootChain.fromFiles(alg, files.grubEfi, files.grubCfg, files.grubCfgPath, commands, files.kernel,
                files.kernelPath, files.args, files.initramfs, files.initramfsPath);
        EventLogPredictor.write(chain, output);
        Registers rems = EventLogPredictor.predictRems(chain);
        for (int i = 0; i < rems.size(); i++) {
            spec.commandLine().getOut().printf("REM[%d]: %s%n", i, rems.get(i).hex());
        }
        spec.commandLine().getOut().flush();
        return ReferenceValuesCli.EXIT_OK;
    }
}

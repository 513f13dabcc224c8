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
    @Option(names = "--grub-efi", required = true) Path grubEfi;
    @Option(names = "--grub-cfg", required = true) Path grubCfg;
    @Option(names = "--grub-cfg-path", required = true, description = "grub.cfg's path as grub logs it") String grubCfgPath;
    @Option(names = "--grub-cmd", description = "a command grub runs before linux (repeat, in order)")
    List<String> commands = new ArrayList<>();
    @Option(names = "--kernel", required = true) Path kernel;
    @Option(names = "--kernel-path", required = true, description = "kernel path as in grub.cfg") String kernelPath;
    @Option(names = "--kernel-args", defaultValue = "", description = "kernel arguments after the path") String args;
    @Option(names = "--initramfs", required = true) Path initramfs;
    @Option(names = "--initramfs-path", required = true) String initramfsPath;
    @Mixin HashAlgOption hashAlg;
    @Option(names = {"-o", "--output"}, required = true, description = "event log to write (atomically)") Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DigestAlgorithm alg = hashAlg.algorithm();
        BootChain chain = BootChain.fromFiles(alg, grubEfi, grubCfg, grubCfgPath, commands, kernel, kernelPath, args,
                initramfs, initramfsPath);
        EventLogPredictor.write(chain, output);
        Registers rems = EventLogPredictor.predictRems(chain);
        for (int i = 0; i < rems.size(); i++) {
            spec.commandLine().getOut().printf("REM[%d]: %s%n", i, rems.get(i).hex());
        }
        spec.commandLine().getOut().flush();
        return ReferenceValuesCli.EXIT_OK;
    }
}

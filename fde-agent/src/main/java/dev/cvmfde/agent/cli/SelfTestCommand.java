package dev.cvmfde.agent.cli;

import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.console.StartupTrace;
import dev.cvmfde.agent.selftest.SelfTest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fde-agent self-test}: the AOT training run and a smoke test of a built runtime. */
@Command(name = "self-test", mixinStandardHelpOptions = true,
        description = {"Runs the agent's server on 127.0.0.1 with the simulated TEE and one full exchange with a",
            "throwaway verifier key (no disk, no cryptsetup). Used to train the runtime's AOT cache."},
        footerHeading = "%nExit status:%n", footer = {"  0  the exchange worked", "  1  it did not (the message says which step)"})
final class SelfTestCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--fixture-out", paramLabel = "DIR", description = {
        "write the boot path's fixture for bench/guest-startup into DIR instead of running the exchange:",
        "dev/vdb (a LUKS2 header of image-builder's shape; nothing in it opens), sys/vdb/, agent.json",
        "pinning that header (tsm provider, 127.0.0.1, port 0, verifier key DIR/etc/verifier.pub.pem)"})
    java.nio.file.Path fixtureOut;

    @picocli.CommandLine.Option(names = "--uuid", paramLabel = "UUID", defaultValue = "0c0ffee0-0000-4000-8000-00000000b007",
            description = "the fixture's LUKS UUID (with --fixture-out; default ${DEFAULT-VALUE})")
    String uuid;

    @Override
    public Integer call() throws Exception {
        if (fixtureOut != null) {
            SelfTest.writeFixture(fixtureOut, java.util.UUID.fromString(uuid).toString());
            return 0;
        }
        StartupTrace.mark("parsed");
        SelfTest.run(AgentConsole.to(System.err));
        return 0;
    }
}

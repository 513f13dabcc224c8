package dev.cvmfde.agent.cli;

import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.selftest.SelfTest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fde-agent self-test}: the AOT training run and a smoke test of a built runtime. */
@Command(name = "self-test", mixinStandardHelpOptions = true,
        description = {"Runs the agent's server on 127.0.0.1 with the simulated TEE and one full exchange with a",
            "throwaway verifier key (no disk, no cryptsetup). Used to train the runtime's AOT cache."},
        footerHeading = "%nExit status:%n", footer = {"  0  the exchange worked", "  1  it did not (the message says which step)"})
final class SelfTestCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        SelfTest.run(AgentConsole.to(System.err));
        return 0;
    }
}

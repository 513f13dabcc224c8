package dev.cvmfde.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HelpTest {
    @Test
    void help_encrypt_teachesKdfChoiceExitCodesAndExample() {
        CliRun.Result r = CliRun.run("encrypt", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("systemd-cryptenroll") && r.out().contains("1 GiB"), r.out());
        assertTrue(r.out().contains("Exit codes:") && r.out().contains("image-builder encrypt --input"), r.out());
    }

    @Test
    void help_topLevel_listsSubcommandsAndExitCodes() {
        CliRun.Result r = CliRun.run("--help");
        assertEquals(0, r.exit());
        for (String s : new String[] {"encrypt", "encrypt-disk", "dek", "root-key", "Exit codes:"}) {
            assertTrue(r.out().contains(s), s + " missing in:\n" + r.out());
        }
    }

    @Test
    void run_unknownOption_usageExit2() {
        assertEquals(2, CliRun.run("encrypt", "--no-such-option").exit());
    }
}

package dev.cvmfde.client.cli;

import dev.cvmfde.client.store.AuditAnchor;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.AuditVerification;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.internal.AuditLines;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code audit verify|show}: the store's hash-chained record of every release and refusal. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {
            "The image store's audit trail: one record per release or refusal (time, peer, image id, verdict, failed "
                    + "checks, SHA-256 of the evidence; never key material), each carrying the SHA-256 of the record "
                    + "before it. In a directory store it is audit.jsonl (one JSON line per record, fsynced per line); "
                    + "in PostgreSQL the table cvmfde_audit (the row is written in the release's own transaction).", ""},
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  attestation-client audit verify --store /var/lib/cvm-fde/store",
            "  attestation-client audit verify --store /var/lib/cvm-fde/store --anchor 1042:HASH   (the head kept last time)",
            "  attestation-client audit show --store postgresql://db:5432/cvmfde?user=auditor --last 20"})
public final class AuditCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify or show");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {
                "Checks the whole chain: every record parses, is in canonical form, its hash matches its content, its "
                        + "seq follows the one before and it carries that record's hash. Names the first record that "
                        + "does not (an edited, deleted, inserted or reordered record breaks the chain there).",
                "A last line cut short by a crash (no newline) is reported as torn-tail: that append was never "
                        + "acknowledged, nothing that happened is missing, and the records before it verify (exit 0). "
                        + "The next append removes it.",
                "The chain proves the order and integrity of the records up to its head, not that nothing after "
                        + "some point was cut off or rewritten and re-chained. Keep the printed 'head SEQ:HASH' "
                        + "elsewhere (a ticket, another host) and pass it back with --anchor: verify then also "
                        + "requires record SEQ to be there with exactly that hash.", ""},
            footerHeading = "%nExit codes:%n",
            footer = {
                "  0  intact (or intact up to a torn last line), and the anchor holds",
                "  1  error: the store cannot be read",
                "  2  usage (e.g. a malformed --anchor)",
                "  3  broken: the output names the first record (line or row) that does not chain, or the",
                "     anchored record that is missing or has another hash, and why"})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--anchor", paramLabel = "SEQ:HASH",
                description = "A head printed by an earlier verify ('head SEQ:HASH'): record SEQ must still have "
                        + "exactly that chain hash (a tail cut off or rewritten after it is reported as broken).")
        String anchor;

        @Override
        public Integer call() {
            AuditAnchor required;
            try {
                required = anchor == null ? AuditAnchor.GENESIS : AuditAnchor.parse(anchor);
            } catch (IllegalArgumentException e) {
                throw ExitCodes.usage(spec, "--anchor: " + e.getMessage());
            }
            return ExitCodes.guard(spec, () -> {
                try (ImageStore s = store.openWithoutKey(spec)) {
                    AuditVerification v = s.audit().verify(required);
                    PrintWriter out = spec.commandLine().getOut();
                    String held = anchor == null ? "" : "; anchor " + required + " holds";
                    int code = switch (v) {
                        case AuditVerification.Intact i -> {
                            out.println("intact: " + i.verifiedRecords() + " record(s) chain in " + s.describe()
                                    + held + "; head " + i.head());
                            yield ExitCodes.OK;
                        }
                        case AuditVerification.TornTail t -> {
                            out.println("torn-tail: line " + t.line() + ": " + t.detail());
                            out.println("intact before it: " + t.verifiedRecords() + " record(s) chain in " + s.describe()
                                    + held + "; head " + t.head());
                            yield ExitCodes.OK;
                        }
                        case AuditVerification.Broken b -> {
                            out.println("BROKEN at record " + b.line() + " (line/row " + b.line() + " of " + s.describe()
                                    + "): " + b.reason());
                            out.println(b.verifiedRecords() + " record(s) before it chain");
                            yield ExitCodes.REFUSED;
                        }
                    };
                    out.flush();
                    return code;
                }
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Prints the last records as stored (one JSON line each), oldest first, without checking the "
                    + "chain (use verify for that).", ""})
    static final class Show implements Callable<Integer> {
        /** Most records printed at once. */
        static final int MAX_LAST = 100_000;

        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--last", paramLabel = "N", defaultValue = "20", description = "How many records (default 20).")
        int last;

        @Override
        public Integer call() {
            if (last < 1 || last > MAX_LAST) {
                throw ExitCodes.usage(spec, "--last must be 1.." + MAX_LAST + "; got " + last);
            }
            return ExitCodes.guard(spec, () -> {
                try (ImageStore s = store.openWithoutKey(spec)) {
                    PrintWriter out = spec.commandLine().getOut();
                    for (AuditRecord r : s.audit().tail(last)) {
                        out.println(AuditLines.line(r));
                    }
                    out.flush();
                }
                return ExitCodes.OK;
            });
        }
    }
}

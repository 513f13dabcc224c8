package dev.cvmfde.client.verify.internal;

import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.EvidenceInput;
import dev.cvmfde.client.verify.Freshness;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.protocol.token.HashAlgorithm;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.protocol.token.UnverifiedCcaToken;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The appraisal stages that run on verified claims: freshness, RIM, event-log replay and policy.
 * (Boot components are in {@link BootComponentStage}, the hash.json signature in
 * {@link BaselineStage}.)
 */
public final class AppraisalStages {
    private static final HexFormat HEX = HexFormat.of();

    private AppraisalStages() {
    }

    /** FRESHNESS: the realm challenge equals the expected 64 bytes (constant time). */
    public static void freshness(RealmClaims realm, Freshness freshness, List<Check> out) {
        String actual = HEX.formatHex(realm.challenge());
        switch (freshness) {
            case Freshness.Expected e -> {
                boolean ok = MessageDigest.isEqual(e.challenge(), realm.challenge());
                String expected = HEX.formatHex(e.challenge());
                out.add(ok ? Check.pass(Stage.FRESHNESS, "realm-challenge", expected, actual)
                        : Check.fail(Stage.FRESHNESS, "realm-challenge", expected, actual,
                                "the realm challenge (claim 10) is not this session's: stale or replayed evidence"));
            }
            case Freshness.Unspecified u -> out.add(Check.fail(Stage.FRESHNESS, "realm-challenge",
                    "an expected challenge", actual, "no expected challenge was given, so the evidence may be a "
                            + "replay; give --expected-challenge (or --insecure-no-freshness for offline inspection)"));
            case Freshness.NotChecked n -> out.add(Check.unchecked(Stage.FRESHNESS, "realm-challenge",
                    Insecure.NO_FRESHNESS, "NOT CHECKED on request: this evidence may be a replay; challenge " + actual));
        }
    }

    /**
     * FRESHNESS for TPM evidence: {@code actual} (the quote's qualifying data, named {@code what})
     * equals the expected 64 bytes, in constant time.
     */
    public static void freshness(byte[] actual, String name, String what, Freshness freshness, List<Check> out) {
        String actualHex = HEX.formatHex(actual);
        switch (freshness) {
            case Freshness.Expected e -> {
                boolean ok = MessageDigest.isEqual(e.challenge(), actual);
                String expected = HEX.formatHex(e.challenge());
                out.add(ok ? Check.pass(Stage.FRESHNESS, name, expected, actualHex)
                        : Check.fail(Stage.FRESHNESS, name, expected, actualHex, what + " is not this session's "
                                + "challenge: stale or replayed evidence"));
            }
            case Freshness.Unspecified u -> out.add(Check.fail(Stage.FRESHNESS, name, "an expected challenge", actualHex,
                    "no expected challenge was given, so the evidence may be a replay"));
            case Freshness.NotChecked n -> out.add(Check.unchecked(Stage.FRESHNESS, name, Insecure.NO_FRESHNESS,
                    "NOT CHECKED on request: this evidence may be a replay; " + what + " " + actualHex));
        }
    }

    /**
     * RIM: the realm initial measurement equals the reference ({@code --rim} or hash.json
     * {@code "rim"}); without one the check names {@link Insecure#NO_RIM} and so refuses unless waived.
     */
    public static void rim(RealmClaims realm, Optional<byte[]> reference, List<Check> out) {
        if (reference.isEmpty()) {
            out.add(Check.unchecked(Stage.RIM, "rim", Insecure.NO_RIM, "no reference RIM (--rim or hash.json \"rim\"): "
                    + "the realm's initial measurement " + HEX.formatHex(realm.rim()) + " is not appraised"));
            return;
        }
        byte[] expected = reference.get();
        boolean ok = MessageDigest.isEqual(expected, realm.rim());
        out.add(ok ? Check.pass(Stage.RIM, "rim", HEX.formatHex(expected), HEX.formatHex(realm.rim()))
                : Check.fail(Stage.RIM, "rim", HEX.formatHex(expected), HEX.formatHex(realm.rim()),
                        "the realm initial measurement (claim 44238) is not the reference"));
    }

    /**
     * EVENT_LOG: the CCEL log replays to the four REMs of the token, in the token's REM bank, and
     * holds no measured event at MR index 0 (nothing there enters a REM, so nothing proves such an
     * event was measured). Returns the events only if all of that holds (only then do they describe
     * what was measured). Without a log the check is SKIPPED, or FAILS when {@code required} (a
     * baseline was given: its boot components can only be read from the log).
     */
    public static Optional<List<LogEvent>> eventLog(RealmClaims realm, Optional<byte[]> log, boolean required,
            List<Check> out) {
        Optional<byte[]> bounded = boundedLog(log, required, "the REMs are not appraised", out);
        if (bounded.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = bounded.get();
        DigestAlgorithm alg = digestAlgorithm(realm.hashAlgorithm());
        List<LogEvent> events;
        Registers regs;
        try {
            events = readEvents(bytes, LogFormat.CCEL);
            regs = Replayer.replay(events, LogFormat.CCEL, alg);
        } catch (EventLogException | IOException e) {
            out.add(Check.fail(Stage.EVENT_LOG, "parse", "a CCEL event log with a " + alg.bankName() + " bank",
                    "unreadable", e.getMessage()));
            return Optional.empty();
        }
        List<byte[]> rems = realm.rems();
        boolean all = true;
        for (int i = 0; i < rems.size(); i++) {
            byte[] claimed = rems.get(i);
            byte[] replayed = regs.get(i).value();
            boolean ok = MessageDigest.isEqual(claimed, replayed);
            all &= ok;
            String name = "REM[" + i + "]";
            out.add(ok ? Check.pass(Stage.EVENT_LOG, name, HEX.formatHex(claimed), HEX.formatHex(replayed))
                    : Check.fail(Stage.EVENT_LOG, name, HEX.formatHex(claimed), HEX.formatHex(replayed),
                            "replaying the event log does not give the token's REM (claim 44239): the log is not "
                                    + "what was measured"));
        }
        all &= mrIndexZero(events, out);
        return all ? Optional.of(events) : Optional.empty();
    }

    /**
     * The log if there is one within {@code MAX_EVENT_LOG_BYTES}; else adds the EVENT_LOG check that
     * says why (no log: FAIL when {@code required}, else SKIPPED naming {@link Insecure#NO_EVENT_LOG})
     * and returns empty.
     */
    static Optional<byte[]> boundedLog(Optional<byte[]> log, boolean required, String unappraised, List<Check> out) {
        if (log.isEmpty()) {
            out.add(required ? Check.fail(Stage.EVENT_LOG, "replay", "an event log (a baseline was given)",
                    "no event log", "the evidence holds no event log, so the boot components cannot be appraised")
                    : Check.unchecked(Stage.EVENT_LOG, "replay", Insecure.NO_EVENT_LOG, "no event log with the "
                            + "evidence: " + unappraised));
            return Optional.empty();
        }
        byte[] bytes = log.get();
        if (bytes.length > EvidenceInput.MAX_EVENT_LOG_BYTES) {
            out.add(Check.fail(Stage.EVENT_LOG, "parse", "at most " + EvidenceInput.MAX_EVENT_LOG_BYTES + " B",
                    bytes.length + " B", "event log larger than MAX_EVENT_LOG_BYTES"));
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /** Every event of a log in {@code format}, read with the default limits. */
    static List<LogEvent> readEvents(byte[] bytes, LogFormat format) throws EventLogException, IOException {
        try (EventLogReader r = EventLogReader.open(new ByteArrayInputStream(bytes), format, EventLogLimits.DEFAULT)) {
            List<LogEvent> events = new ArrayList<>();
            for (LogEvent e; (e = r.next()) != null;) {
                events.add(e);
            }
            return events;
        }
    }

    /** Only EV_NO_ACTION may sit at MR index 0: any other event there claims a measurement no REM holds. */
    private static boolean mrIndexZero(List<LogEvent> events, List<Check> out) {
        String allowed = "only EV_NO_ACTION at MR index 0";
        List<String> decoys = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            LogEvent e = events.get(i);
            if (e.index() == 0 && e.type() != EventType.EV_NO_ACTION) {
                decoys.add("event " + (i + 1) + " " + EventType.name(e.type()));
            }
        }
        if (decoys.isEmpty()) {
            out.add(Check.pass(Stage.EVENT_LOG, "mr-index-0", allowed, "no measured event at MR index 0"));
            return true;
        }
        out.add(Check.fail(Stage.EVENT_LOG, "mr-index-0", allowed, decoys.size() + " measured: " + decoys.getFirst()
                + (decoys.size() > 1 ? ", …" : ""), "events at MR index 0 enter no REM, so nothing proves they were "
                        + "measured; a log that holds them is refused"));
        return false;
    }

    /**
     * POLICY: whether evidence is simulated is decided by the anchor the operator gave, never by
     * the token. The token's simulated marks (profiles) must agree with it: simulated evidence
     * against a real anchor is refused, and so is unmarked (real-profile) evidence against the
     * simulated anchor (the simulated TEE marks every token it makes). Agreeing simulated evidence
     * is FLAGGED.
     */
    public static void policy(UnverifiedCcaToken token, boolean simulatedAnchor, List<Check> out) {
        boolean marked = SimulatedTee.isSimulated(token);
        String actual = token.realm().unverifiedClaims().profile().orElse("(no realm profile)");
        if (!marked && !simulatedAnchor) {
            out.add(Check.pass(Stage.POLICY, "simulated-tee", "a real TEE (real anchor)", actual));
        } else if (marked && simulatedAnchor) {
            out.add(Check.flagged(Stage.POLICY, "simulated-tee", "the simulated TEE (--simulated-anchor)", actual,
                    "SIMULATED TEE: the trust anchor is the simulated TEE's; this evidence proves nothing about "
                            + "confidentiality"));
        } else if (marked) {
            out.add(Check.fail(Stage.POLICY, "simulated-tee", "a real TEE (real anchor)", actual, "evidence marked as "
                    + "the simulated TEE's (profile " + SimulatedTee.REALM_PROFILE + ") against a real trust anchor; "
                    + "the simulated TEE's CPAK is given with --simulated-anchor, never --trust-anchor"));
        } else {
            out.add(Check.fail(Stage.POLICY, "simulated-tee", "the simulated TEE (--simulated-anchor)", actual,
                    "evidence without the simulated marks, signed under the simulated anchor: the simulated TEE "
                            + "marks every token, so this is not what it claims to be"));
        }
    }

    static DigestAlgorithm digestAlgorithm(HashAlgorithm h) {
        return switch (h) {
            case SHA_256 -> DigestAlgorithm.SHA256;
            case SHA_384 -> DigestAlgorithm.SHA384;
            case SHA_512 -> DigestAlgorithm.SHA512;
        };
    }
}

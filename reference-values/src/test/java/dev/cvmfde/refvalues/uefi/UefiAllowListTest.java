package dev.cvmfde.refvalues.uefi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.refvalues.compare.Component;
import dev.cvmfde.refvalues.compare.ComparisonReport;
import dev.cvmfde.refvalues.compare.ComponentResult;
import dev.cvmfde.refvalues.compare.SequenceDeviation;
import dev.cvmfde.refvalues.compare.Verdict;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The strict allow-list on a real OVMF + shim + grub TPM log (PCRs mapped to MR indices as the TPM
 * verifier maps them): shim then grub in PCR 4, shim's MOK lists in PCR 14, grub's strings and files.
 */
class UefiAllowListTest {
    @Test
    void compare_realLogWithShimBaseline_everyComponentMatchesAndOnlyTheOptionRomDriverDeviates() throws Exception {
        ComparisonReport r = compare(UefiVectors.events(), UefiVectors.baseline());
        for (ComponentResult c : r.components()) {
            assertEquals(Verdict.MATCH, c.verdict(), c.toString());
        }
        assertEquals(List.of(Component.SHIM, Component.GRUB, Component.GRUB_CFG, Component.KERNEL, Component.INITRAMFS),
                r.components().stream().map(ComponentResult::component).toList());
        assertEquals(1, r.deviations().size(), r.deviations().toString());
        SequenceDeviation d = r.deviations().getFirst();
        assertEquals(SequenceDeviation.Kind.NOT_ALLOWED, d.kind());
        assertTrue(d.actual().startsWith("EV_EFI_BOOT_SERVICES_DRIVER"), d.actual());
    }

    @Test
    void compare_realLogWithoutTheOptionRom_passes() throws Exception {
        ComparisonReport r = compare(withoutOptionRom(), UefiVectors.baseline());
        assertTrue(r.passed(), r.deviations() + " " + r.integrityFailures());
        assertEquals("/vmlinuz-6.1.0-57-amd64 " + UefiVectors.KERNEL_ARGS, r.kernelCommandLine().orElseThrow());
    }

    @Test
    void compare_baselineWithoutShim_grubMismatchesAndTheSecondApplicationIsNotAllowed() throws Exception {
        Baseline b = UefiVectors.baseline();
        Map<String, com.fasterxml.jackson.databind.JsonNode> extra = new LinkedHashMap<>(b.extraFields());
        extra.remove(Baseline.SHIM_FIELD);
        Baseline noShim = new Baseline(b.hashAlg(), b.grub(), b.grubCfg(), b.kernels(), b.form(), extra);
        ComparisonReport r = compare(withoutOptionRom(), noShim);
        assertFalse(r.passed());
        ComponentResult grub = component(r, Component.GRUB);
        assertEquals(Verdict.MISMATCH, grub.verdict());
        assertEquals(b.shim().orElseThrow(), grub.actual().orElseThrow(), "shim's hash is where grub's was expected");
        assertTrue(r.deviations().stream().anyMatch(d -> d.kind() == SequenceDeviation.Kind.NOT_ALLOWED), r.deviations().toString());
    }

    @Test
    void compare_anotherShim_shimMismatches() throws Exception {
        Baseline b = UefiVectors.baseline();
        Baseline other = b.withShim(Digest.of(DigestAlgorithm.SHA256, "another shim".getBytes(StandardCharsets.UTF_8)));
        ComparisonReport r = compare(withoutOptionRom(), other);
        assertFalse(r.passed());
        assertEquals(Verdict.MISMATCH, component(r, Component.SHIM).verdict());
        assertEquals(Verdict.MATCH, component(r, Component.GRUB).verdict());
    }

    @Test
    void compare_mokEventAfterGrubStarted_isNotAllowed() throws Exception {
        List<LogEvent> events = new ArrayList<>(withoutOptionRom());
        LogEvent mok = events.stream().filter(e -> e.index() == 14).findFirst().orElseThrow();
        events.add(mok);   // a MokList event after grub's: not shim's, so not allowed
        ComparisonReport r = compare(events, UefiVectors.baseline());
        assertFalse(r.passed());
        assertTrue(r.deviations().stream().anyMatch(d -> d.actual().contains("MokList")), r.deviations().toString());
    }

    @Test
    void compare_mokEventsWithoutShimInTheBaseline_areNotSkipped() throws Exception {
        Baseline b = UefiVectors.baseline();
        Map<String, com.fasterxml.jackson.databind.JsonNode> extra = new LinkedHashMap<>(b.extraFields());
        extra.put(Baseline.SHIM_FIELD, TextNode.valueOf(b.shim().orElseThrow().hex()));
        assertEquals(b.shim(), new Baseline(b.hashAlg(), b.grub(), b.grubCfg(), b.kernels(), b.form(), extra).shim());
        extra.remove(Baseline.SHIM_FIELD);
        ComparisonReport r = compare(withoutOptionRom(),
                new Baseline(b.hashAlg(), b.grub(), b.grubCfg(), b.kernels(), b.form(), extra));
        assertTrue(r.deviations().stream().anyMatch(d -> d.actual().contains("MokList")), r.deviations().toString());
    }

    static ComparisonReport compare(List<LogEvent> pcrEvents, Baseline b) {
        List<LogEvent> mr = pcrEvents.stream()
                .map(e -> new LogEvent(mrIndexOfPcr(e.index()), e.type(), e.digests(), e.data())).toList();
        return BaselineComparator.compare(mr, DigestAlgorithm.SHA256, b);
    }

    /** As BaselineComparator maps a TPM log (UEFI 2.10 §38.4.1; PCR 0 → MR 1). */
    static int mrIndexOfPcr(int pcr) {
        if (pcr <= 1 || pcr == 7) {
            return 1;
        }
        return pcr <= 6 ? 2 : pcr <= 15 ? 3 : 4;
    }

    static List<LogEvent> withoutOptionRom() throws Exception {
        return UefiVectors.events().stream().filter(e -> e.type() != EventType.EV_EFI_BOOT_SERVICES_DRIVER).toList();
    }

    static ComponentResult component(ComparisonReport r, Component c) {
        return r.components().stream().filter(x -> x.component() == c).findFirst().orElseThrow();
    }
}

package dev.cvmfde.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.client.store.ImageEntry;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.SignedBaseline;
import dev.cvmfde.client.store.StoredBaseline;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.secret.KeyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code image add|list|remove|rotate-baseline}: the images a broker releases keys for. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = {
            "Manages the image store a broker ('serve') releases keys from: per image its signed baseline(s) and its "
                    + "disk key, wrapped at rest by the root key (a fresh AES-256 key per image encrypts the key; the "
                    + "root key wraps that; the store never holds a plaintext key).",
            "A baseline enters the store only if its signature (<hash.json>.jws) verifies with --baseline-signer and "
                    + "hash.json parses: the same checks a release makes.", ""},
        subcommands = {ImageCommand.Add.class, ImageCommand.ListImages.class, ImageCommand.Remove.class,
            ImageCommand.RotateBaseline.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  attestation-client root-key --out /etc/cvm-fde/root.key",
            "  attestation-client image add --store /var/lib/cvm-fde/store --root-key /etc/cvm-fde/root.key \\",
            "      --id web-01 --baseline web-01.hash.json --baseline-signer builder.pub.jwk --key-file web-01.key",
            "  attestation-client image list --store /var/lib/cvm-fde/store",
            "  attestation-client image rotate-baseline --store postgresql://db:5432/cvmfde?user=broker \\",
            "      --id web-01 --baseline web-01-v2.hash.json --baseline-signer builder.pub.jwk --until 2027-01-15",
            "  attestation-client image remove --store /var/lib/cvm-fde/store --id web-01 --yes",
            "",
            "Exit codes:",
            "  0  done",
            "  1  error: store or root key unavailable, unknown or existing image, a baseline whose signature does",
            "     not verify, an unreadable file",
            "  2  usage: unknown, missing or malformed options"})
public final class ImageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: add, list, remove or rotate-baseline");
    }

    /** The signed-baseline options of add and rotate-baseline. */
    static final class BaselineOptions {
        @Option(names = "--baseline", required = true, paramLabel = "hash.json",
                description = "The image's reference values (image-builder writes it beside the image).")
        Path baseline;

        @Option(names = "--baseline-signer", required = true, paramLabel = "PUBKEY",
                description = "Public key (JWK or PEM, P-256/P-384) that must have signed hash.json. The store keeps "
                        + "only signed baselines.")
        Path signer;

        @Option(names = "--baseline-signature", paramLabel = "FILE",
                description = "The detached JWS (default: <baseline>" + BaselineSignature.FILE_SUFFIX + ").")
        Path signature;

        SignedBaseline read() throws Exception {
            ReferenceBaseline b = BaselineFiles.read(baseline, signer, signature);
            String jws = b.detachedJws().orElseThrow(() -> new java.nio.file.NoSuchFileException(
                    (signature != null ? signature : baseline.resolveSibling(baseline.getFileName()
                            + BaselineSignature.FILE_SUFFIX)) + " (the baseline's signature)"));
            return new SignedBaseline(b.hashJson(), jws, b.signer().orElseThrow());
        }
    }

    static ImageId id(CommandSpec spec, String value) {
        try {
            return ImageId.of(value);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--id: " + e.getMessage());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds an image: checks its signed baseline, wraps its key file under the root key and stores "
                    + "both. Creates the store if it does not exist. An existing id is never replaced (remove it first).",
                ""},
            footerHeading = "%nExample:%n",
            footer = {"  attestation-client image add --store /var/lib/cvm-fde/store --root-key /etc/cvm-fde/root.key \\",
                "      --id web-01 --baseline web-01.hash.json --baseline-signer builder.pub.jwk --key-file web-01.key"})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--id", required = true, paramLabel = "ID",
                description = "The image id the guest names (1-64 of a-z 0-9 . _ -).")
        String id;
        @Mixin
        BaselineOptions baseline;
        @Option(names = "--key-file", required = true, paramLabel = "FILE",
                description = "The image's disk key (raw or IBM base64 form; mode 0600).")
        Path keyFile;

        @Override
        public Integer call() {
            ImageId image = id(spec, id);
            return ExitCodes.guard(spec, () -> {
                SignedBaseline b = baseline.read();
                try (KeyFile key = KeyFile.read(keyFile);
                     RootKey root = store.openRootKey(spec);
                     ImageStore s = store.open(spec, root, true)) {
                    s.add(image, b, key.passphrase());
                    PrintWriter out = spec.commandLine().getOut();
                    out.println("added image '" + image + "' to " + s.describe() + ": baseline sha256 "
                            + s.get(image).baselines().get(0).sha256() + ", key wrapped by " + root.describe());
                    out.flush();
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists the images, each with its baselines (newest first) and whether each is accepted now. "
                    + "Never shows a key. Needs no root key.", ""})
    static final class ListImages implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--json", description = "JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return ExitCodes.guard(spec, () -> {
                Instant now = Instant.now();
                try (ImageStore s = store.openWithoutKey(spec)) {
                    java.util.List<ImageEntry> images = s.list();
                    PrintWriter out = spec.commandLine().getOut();
                    if (json) {
                        out.println(toJson(images, now));
                    } else {
                        out.println(images.size() + " image(s) in " + s.describe() + " at " + now);
                        for (ImageEntry e : images) {
                            out.println(e.id() + "  added " + e.addedAt());
                            for (StoredBaseline b : e.baselines()) {
                                out.println("  baseline sha256 " + b.sha256() + "  added " + b.addedAt() + "  " + state(b, now));
                            }
                        }
                    }
                    out.flush();
                }
                return ExitCodes.OK;
            });
        }

        static String state(StoredBaseline b, Instant now) {
            if (b.acceptedUntil().isEmpty()) {
                return "accepted";
            }
            return b.acceptedAt(now) ? "accepted until " + b.acceptedUntil().get() + " (rollout)"
                    : "ended " + b.acceptedUntil().get();
        }

        static String toJson(java.util.List<ImageEntry> images, Instant now) throws Exception {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode list = m.createArrayNode();
            for (ImageEntry e : images) {
                ObjectNode n = list.addObject();
                n.put("id", e.id().value());
                n.put("addedAt", e.addedAt().toString());
                ArrayNode bl = n.putArray("baselines");
                for (StoredBaseline b : e.baselines()) {
                    ObjectNode bn = bl.addObject();
                    bn.put("sha256", b.sha256());
                    bn.put("addedAt", b.addedAt().toString());
                    b.acceptedUntil().ifPresent(u -> bn.put("acceptedUntil", u.toString()));
                    bn.put("acceptedNow", b.acceptedAt(now));
                }
            }
            return m.writeValueAsString(list);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Removes an image, its baselines and its wrapped key. Without another copy of the key the "
                    + "image's disk can no longer be opened, so --yes is required. The audit trail keeps its records.", ""})
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--id", required = true, paramLabel = "ID", description = "The image to remove.")
        String id;
        @Option(names = "--yes", description = "Confirms that the image's wrapped key is to be destroyed.")
        boolean yes;

        @Override
        public Integer call() {
            ImageId image = id(spec, id);
            if (!yes) {
                throw ExitCodes.usage(spec, "removing image '" + image + "' destroys its wrapped key (lose the key, lose"
                        + " the disk); add --yes to confirm");
            }
            return ExitCodes.guard(spec, () -> {
                try (ImageStore s = store.openWithoutKey(spec)) {
                    s.remove(image);
                    spec.commandLine().getOut().println("removed image '" + image + "' from " + s.describe());
                    spec.commandLine().getOut().flush();
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "rotate-baseline", mixinStandardHelpOptions = true,
            description = {"Starts a rollout: the new baseline (checked as by 'add') is accepted from now on, and the "
                    + "baseline(s) accepted so far stay accepted until DATE, then not. Guests booting the old image and "
                    + "guests booting the new one both get their key during the window; after it only the new one.",
                "DATE is an ISO date (2027-01-15: that day's start, UTC) or instant (2027-01-15T12:00:00Z, "
                    + "2027-01-15T13:00:00+01:00); it must be in the future.", ""},
            footerHeading = "%nExample:%n",
            footer = {"  attestation-client image rotate-baseline --store /var/lib/cvm-fde/store --id web-01 \\",
                "      --baseline web-01-v2.hash.json --baseline-signer builder.pub.jwk --until 2027-01-15"})
    static final class RotateBaseline implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--id", required = true, paramLabel = "ID", description = "The image.")
        String id;
        @Mixin
        BaselineOptions baseline;
        @Option(names = "--until", required = true, paramLabel = "DATE",
                description = "End of the rollout window (exclusive): after it only the new baseline is accepted.")
        String until;

        @Override
        public Integer call() {
            ImageId image = id(spec, id);
            Instant end = parseUntil(spec, until);
            if (!end.isAfter(Instant.now())) {
                throw ExitCodes.usage(spec, "--until " + until + " is not in the future; the old baseline would never be"
                        + " accepted alongside the new one");
            }
            return ExitCodes.guard(spec, () -> {
                SignedBaseline b = baseline.read();
                try (ImageStore s = store.openWithoutKey(spec)) {
                    s.rotateBaseline(image, b, end);
                    spec.commandLine().getOut().println("image '" + image + "': new baseline accepted from now; the"
                            + " previous one(s) until " + end);
                    spec.commandLine().getOut().flush();
                }
                return ExitCodes.OK;
            });
        }
    }

    static Instant parseUntil(CommandSpec spec, String text) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ExitCodes.usage(spec, "--until " + text + ": expected an ISO date (2027-01-15) or instant"
                    + " (2027-01-15T12:00:00Z)");
        }
    }
}

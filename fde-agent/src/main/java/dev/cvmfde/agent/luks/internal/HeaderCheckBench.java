package dev.cvmfde.agent.luks.internal;

import dev.cvmfde.agent.config.internal.ConfigJson;
import dev.cvmfde.agent.luks.HeaderRefusedException;
import dev.cvmfde.agent.luks.LuksHeader;
import dev.cvmfde.agent.luks.LuksHeaderCheck;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.ValidatedHeader;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import dev.cvmfde.agent.unlock.UnlockCommand;
import dev.cvmfde.agent.unlock.UnlockResult;
import dev.cvmfde.agent.unlock.VolumeKeyCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/header-check}: one host unlock of a LUKS2 file ({@code --volume-file} mode, no
 * device-mapper) without and with the header validation and the volume-key check, alternating in
 * one JVM. Without ("peer", what the agent did before): the UUID read + {@code cryptsetup open
 * --test-passphrase --key-file=- FILE}. With ("ours"): {@link LuksHeaderCheck#read} + the
 * in-memory copy written to a file + {@code cryptsetup luksDump --dump-volume-key} of that copy
 * (which also checks the passphrase) + the fingerprint compared + the copy deleted.
 *
 * <p>Arguments: {@code VOLUME UUID KEYFILE VOLUMEKEYFILE COPYDIR ROUNDS [cold]} (the volume made by
 * {@code cryptsetup luksFormat --volume-key-file}: aes-xts-plain64, 512-bit key, sha256, 512-byte
 * sectors, PBKDF2 × 1000). Prints the medians in ms, the median of the paired differences (ours −
 * peer of the same round) and the validation + copy part of ours. With {@code cold}: one
 * validation + copy in this fresh JVM only (the bench runs it with and without the guest
 * runtime's AOT cache, trained by {@code fde-agent self-test}).
 */
public final class HeaderCheckBench {
    private static final List<String> OLD_UNLOCK =
            List.of("cryptsetup", "open", "--test-passphrase", "--key-file=-", "{device}");

    private HeaderCheckBench() {
    }

    public static void main(String[] args) throws Exception {
        // args checked by bench/header-check, which made every file
        Path volume = Path.of(args[0]);
        String uuid = args[1];
        byte[] key = Files.readAllBytes(Path.of(args[2]));
        byte[] volumeKey = Files.readAllBytes(Path.of(args[3]));
        Path copyDir = Path.of(args[4]);
        int rounds = Integer.parseInt(args[5]);
        LuksHeaderPin pin = new LuksHeaderPin(16384, "aes-xts-plain64", 16L << 20, 512, 64, "aes-xts-plain64", "sha256",
                Map.of("type", "pbkdf2", "hash", "sha256", "iterations", "1000"), VolumeKeyFingerprint.of(volumeKey));
        Arrays.fill(volumeKey, (byte) 0);
        // the agent has read agent.json (Jackson, ~0.3 s of class loading on a cold JVM) before it reads the header
        ConfigJson.parse(("{\"luksUuid\":\"" + uuid + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (args.length > 6 && args[6].equals("cold")) {
            // one check in this fresh JVM: what the agent pays at boot (with or without an AOT cache)
            long t0 = System.nanoTime();
            ValidatedHeader.deleteCopy(LuksHeaderCheck.read(volume, uuid, pin).writeCopy(copyDir));
            System.out.printf("cold_validate_ms=%.3f%n", (System.nanoTime() - t0) / 1e6);
            Arrays.fill(key, (byte) 0);
            return;
        }
        UnlockCommand old = new UnlockCommand(OLD_UNLOCK, Duration.ofSeconds(60));
        VolumeKeyCheck check = new VolumeKeyCheck(Duration.ofSeconds(60));
        long[] peer = new long[rounds];
        long[] ours = new long[rounds];
        long[] validate = new long[rounds];
        int warmup = Math.max(10, rounds / 4);
        long cold = 0;
        for (int i = -warmup; i < rounds; i++) {
            long a = withoutChecks(old, volume, uuid, key);
            long[] b = withChecks(check, volume, uuid, key, pin, copyDir);
            if (i == -warmup) {
                cold = b[1];
            }
            if (i >= 0) {
                peer[i] = a;
                ours[i] = b[0];
                validate[i] = b[1];
            }
        }
        Arrays.fill(key, (byte) 0);
        long[] added = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            added[i] = ours[i] - peer[i];
        }
        // the median of the paired differences: a neighbour's burst that slows both runs of a round cancels
        System.out.printf("peer_ms=%.3f ours_ms=%.3f validate_and_copy_ms=%.3f added_ms=%.3f cold_validate_ms=%.3f"
                + " rounds=%d%n", median(peer), median(ours), median(validate), median(added), cold / 1e6, rounds);
    }

    private static long withoutChecks(UnlockCommand old, Path volume, String uuid, byte[] key) throws Exception {
        long t0 = System.nanoTime();
        String got = LuksHeader.read(volume).orElseThrow().uuid();
        if (!got.equals(uuid)) {
            throw new IllegalStateException("UUID " + got);
        }
        UnlockResult r = old.run(volume, "bench", volume, key);
        long t = System.nanoTime() - t0;
        if (!(r instanceof UnlockResult.Opened)) {
            throw new IllegalStateException("without checks: " + r);
        }
        return t;
    }

    private static long[] withChecks(VolumeKeyCheck check, Path volume, String uuid, byte[] key, LuksHeaderPin pin,
                                     Path copyDir) throws IOException, InterruptedException, HeaderRefusedException {
        long t0 = System.nanoTime();
        ValidatedHeader header = LuksHeaderCheck.read(volume, uuid, pin);
        Path copy = header.writeCopy(copyDir);
        long t1 = System.nanoTime();
        UnlockResult r;
        try {
            r = check.dump(copy, key, pin);
        } finally {
            ValidatedHeader.deleteCopy(copy);
        }
        long t = System.nanoTime() - t0;
        if (!(r instanceof UnlockResult.Opened)) {
            throw new IllegalStateException("with checks: " + r);
        }
        return new long[] {t, t1 - t0};
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double m = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
        return m / 1e6;
    }
}

package dev.cvmfde.server.provider.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import dev.cvmfde.protocol.tpm.PcrSelection;
import dev.cvmfde.protocol.tpm.TpmFormatException;
import dev.cvmfde.protocol.tpm.TpmReader;
import dev.cvmfde.protocol.tpm.TpmWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The few TPM 2.0 commands the {@code tpm} provider needs, encoded and decoded by hand (TPM 2.0
 * Library Part 3): CreatePrimary, ReadPublic, Quote, PCR_Read, PCR_Extend, NV_ReadPublic, NV_Read,
 * StartAuthSession, PolicySecret, ActivateCredential, FlushContext. Authorization is the empty
 * password (TPM_RS_PW) or, for the EK, a policy session satisfying PolicySecret(endorsement).
 */
public final class Tpm implements AutoCloseable {
    private static final int CC_NV_READ = 0x14E;
    private static final int CC_CREATE_PRIMARY = 0x131;
    private static final int CC_ACTIVATE_CREDENTIAL = 0x147;
    private static final int CC_POLICY_SECRET = 0x151;
    private static final int CC_QUOTE = 0x158;
    private static final int CC_FLUSH_CONTEXT = 0x165;
    private static final int CC_NV_READ_PUBLIC = 0x169;
    private static final int CC_READ_PUBLIC = 0x173;
    private static final int CC_START_AUTH_SESSION = 0x176;
    private static final int CC_PCR_READ = 0x17E;
    private static final int CC_PCR_EXTEND = 0x182;
    /** Bytes read per NV_Read (below every TPM's MAX_NV_BUFFER_SIZE). */
    private static final int NV_CHUNK = 512;
    /** Largest EK certificate read from NV. */
    public static final int MAX_NV_BYTES = 16 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A TPM that answers "retry" (busy, self-testing) is asked again this often, this far apart. */
    private static final int MAX_RETRIES = 100;
    private static final int RETRY_MILLIS = 20;

    private final TpmTransport transport;

    public Tpm(TpmTransport transport) {
        this.transport = transport;
    }

    /** A loaded object: its handle and TPMT_PUBLIC. */
    public record Loaded(long handle, byte[] publicArea) {
        public Loaded {
            publicArea = publicArea.clone();
        }

        @Override
        public byte[] publicArea() {
            return publicArea.clone();
        }
    }

    /** A quote: TPMS_ATTEST and TPMT_SIGNATURE, as the TPM returned them. */
    public record Quoted(byte[] attest, byte[] signature) {
        public Quoted {
            attest = attest.clone();
            signature = signature.clone();
        }

        @Override
        public byte[] attest() {
            return attest.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    public Loaded createPrimary(long hierarchy, byte[] template) throws IOException, TpmCommandException {
        TpmWriter p = new TpmWriter();
        p.tpm2b(new TpmWriter().tpm2b(new byte[0]).tpm2b(new byte[0]).toByteArray()); // inSensitive
        p.tpm2b(template).tpm2b(new byte[0]).u32(0); // inPublic, outsideInfo, creationPCR
        Response r = call("CreatePrimary", TPM_ST_SESSIONS, CC_CREATE_PRIMARY, new long[] {hierarchy}, 1, p, 1);
        return read("CreatePrimary", () -> new Loaded(r.handle, r.params.tpm2b(2048, "outPublic")));
    }

    /** The TPMT_PUBLIC of a loaded or persistent object, or empty if there is none at {@code handle}. */
    public Optional<byte[]> readPublic(long handle) throws IOException, TpmCommandException {
        Response r = call("ReadPublic", TPM_ST_NO_SESSIONS, CC_READ_PUBLIC, new long[] {handle}, 0, new TpmWriter(),
                0, true);
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(read("ReadPublic", () -> r.params.tpm2b(2048, "outPublic")));
    }

    public Quoted quote(long signHandle, byte[] qualifyingData, PcrSelection selection)
            throws IOException, TpmCommandException {
        TpmWriter p = new TpmWriter().tpm2b(qualifyingData).u16(TPM_ALG_NULL);
        selection.writeList(p);
        Response r = call("Quote", TPM_ST_SESSIONS, CC_QUOTE, new long[] {signHandle}, 1, p, 0);
        return read("Quote", () -> {
            byte[] attest = r.params.tpm2b(4096, "quoted");
            byte[] sig = r.params.bytes(r.params.remaining(), "signature");
            return new Quoted(attest, sig);
        });
    }

    /** The values of {@code selection}'s PCRs, ascending (several PCR_Read calls: a TPM returns at most 8). */
    public List<byte[]> pcrRead(PcrSelection selection) throws IOException, TpmCommandException {
        List<byte[]> values = new ArrayList<>();
        SortedSet<Integer> left = new TreeSet<>(selection.pcrs());
        while (!left.isEmpty()) {
            TpmWriter p = new TpmWriter();
            new PcrSelection(selection.hashAlg(), left).writeList(p);
            Response r = call("PCR_Read", TPM_ST_NO_SESSIONS, CC_PCR_READ, new long[0], 0, p, 0);
            int before = left.size();
            read("PCR_Read", () -> {
                r.params.u32("pcrUpdateCounter");
                List<PcrSelection> got = PcrSelection.readList(r.params);
                long count = r.params.u32("pcrValues.count");
                SortedSet<Integer> returned = got.isEmpty() ? new TreeSet<>() : new TreeSet<>(got.getFirst().pcrs());
                if (count != returned.size()) {
                    throw new TpmFormatException("PCR_Read: " + count + " values for " + returned.size() + " PCRs");
                }
                for (int pcr : returned) {
                    if (!left.remove(pcr)) {
                        throw new TpmFormatException("PCR_Read: PCR " + pcr + " was not asked for");
                    }
                    values.add(r.params.tpm2b(64, "pcrValues"));
                }
                return null;
            });
            if (left.size() == before) {
                throw new TpmCommandException("PCR_Read: the TPM returned none of PCRs " + left
                        + " (is the bank allocated?)");
            }
        }
        return values;
    }

    public void pcrExtend(int pcr, byte[] sha256) throws IOException, TpmCommandException {
        TpmWriter p = new TpmWriter().u32(1).u16(TPM_ALG_SHA256).bytes(sha256);
        call("PCR_Extend", TPM_ST_SESSIONS, CC_PCR_EXTEND, new long[] {pcr}, 1, p, 0);
    }

    /** An NV index's data size, or empty if the index is not defined. */
    public Optional<Integer> nvSize(long index) throws IOException, TpmCommandException {
        Response r = call("NV_ReadPublic", TPM_ST_NO_SESSIONS, CC_NV_READ_PUBLIC, new long[] {index}, 0,
                new TpmWriter(), 0, true);
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(read("NV_ReadPublic", () -> {
            TpmReader nv = new TpmReader(r.params.tpm2b(512, "nvPublic"));
            nv.u32("nvIndex");
            nv.u16("nameAlg");
            nv.u32("attributes");
            nv.tpm2b(64, "authPolicy");
            return nv.u16("dataSize");
        }));
    }

    /** Reads {@code size} bytes of an NV index, authorized by the index itself (empty auth). */
    public byte[] nvRead(long index, int size) throws IOException, TpmCommandException {
        if (size > MAX_NV_BYTES) {
            throw new TpmCommandException("NV index 0x" + Long.toHexString(index) + " holds " + size + " bytes; at most "
                    + MAX_NV_BYTES + " are read");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < size) {
            int n = Math.min(NV_CHUNK, size - out.size());
            TpmWriter p = new TpmWriter().u16(n).u16(out.size());
            Response r = call("NV_Read", TPM_ST_SESSIONS, CC_NV_READ, new long[] {index, index}, 1, p, 0);
            byte[] chunk = read("NV_Read", () -> r.params.tpm2b(NV_CHUNK, "data"));
            if (chunk.length != n) {
                throw new TpmCommandException("NV_Read: " + chunk.length + " bytes for " + n + " asked");
            }
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    /** An unbound, unsalted policy session (sha256). */
    public long startPolicySession() throws IOException, TpmCommandException {
        byte[] nonce = new byte[SHA256_BYTES];
        RANDOM.nextBytes(nonce);
        TpmWriter p = new TpmWriter().tpm2b(nonce).tpm2b(new byte[0]).u8(0x01).u16(TPM_ALG_NULL).u16(TPM_ALG_SHA256);
        Response r = call("StartAuthSession", TPM_ST_NO_SESSIONS, CC_START_AUTH_SESSION,
                new long[] {TPM_RH_NULL, TPM_RH_NULL}, 0, p, 1);
        return r.handle;
    }

    /** PolicySecret(TPM_RH_ENDORSEMENT) with the empty endorsement password: satisfies the default EK policy. */
    public void policySecretEndorsement(long session) throws IOException, TpmCommandException {
        TpmWriter p = new TpmWriter().tpm2b(new byte[0]).tpm2b(new byte[0]).tpm2b(new byte[0]).u32(0);
        call("PolicySecret", TPM_ST_SESSIONS, CC_POLICY_SECRET, new long[] {TPM_RH_ENDORSEMENT, session}, 1, p, 0);
    }

    /**
     * ActivateCredential: {@code object} (the AK, empty password) and {@code ek} (authorized by
     * {@code policySession}, which the command consumes). Returns the credential.
     */
    public byte[] activateCredential(long object, long ek, long policySession, byte[] credentialBlob,
            byte[] encryptedSecret) throws IOException, TpmCommandException {
        TpmWriter p = new TpmWriter().tpm2b(credentialBlob).tpm2b(encryptedSecret);
        Response r = call("ActivateCredential", CC_ACTIVATE_CREDENTIAL, new long[] {object, ek},
                new long[] {TPM_RS_PW, policySession}, p, 0, false, TPM_ST_SESSIONS);
        return read("ActivateCredential", () -> r.params.tpm2b(64, "certInfo"));
    }

    public void flush(long handle) throws IOException, TpmCommandException {
        call("FlushContext", TPM_ST_NO_SESSIONS, CC_FLUSH_CONTEXT, new long[0], 0, new TpmWriter().u32(handle), 0);
    }

    private record Response(long handle, TpmReader params) {
    }

    private interface Parse<T> {
        T parse() throws TpmFormatException;
    }

    private static <T> T read(String command, Parse<T> p) throws TpmCommandException {
        try {
            return p.parse();
        } catch (TpmFormatException e) {
            throw new TpmCommandException(command + ": malformed response: " + e.getMessage());
        }
    }

    private Response call(String name, int tag, int cc, long[] handles, int passwordSessions, TpmWriter params,
            int responseHandles) throws IOException, TpmCommandException {
        return call(name, tag, cc, handles, passwordSessions, params, responseHandles, false);
    }

    /** {@code absentOk}: a "handle/index not found" answer returns null instead of throwing. */
    private Response call(String name, int tag, int cc, long[] handles, int passwordSessions, TpmWriter params,
            int responseHandles, boolean absentOk) throws IOException, TpmCommandException {
        long[] sessions = new long[passwordSessions];
        java.util.Arrays.fill(sessions, TPM_RS_PW);
        return call(name, cc, handles, sessions, params, responseHandles, absentOk, tag);
    }

    private Response call(String name, int cc, long[] handles, long[] sessions, TpmWriter params, int responseHandles,
            boolean absentOk, int tag) throws IOException, TpmCommandException {
        TpmWriter body = new TpmWriter();
        for (long h : handles) {
            body.u32(h);
        }
        if (tag == TPM_ST_SESSIONS) {
            TpmWriter auth = new TpmWriter();
            for (long s : sessions) {
                auth.u32(s).tpm2b(new byte[0]).u8(0).tpm2b(new byte[0]);
            }
            body.u32(auth.size()).bytes(auth.toByteArray());
        }
        body.bytes(params.toByteArray());
        byte[] command = new TpmWriter().u16(tag).u32(10 + body.size()).u32(cc).bytes(body.toByteArray()).toByteArray();
        byte[] response = transport.transact(command);
        for (int retry = 0; retry < MAX_RETRIES && isRetry(response); retry++) {
            sleep();
            response = transport.transact(command);
        }
        return parse(name, response, responseHandles, absentOk);
    }

    /** TPM_RC_RETRY, TPM_RC_YIELDED, TPM_RC_TESTING: the TPM asks to send the command again. */
    private static boolean isRetry(byte[] response) {
        if (response.length < 10) {
            return false;
        }
        int rc = ((response[6] & 0xff) << 24) | ((response[7] & 0xff) << 16) | ((response[8] & 0xff) << 8)
                | (response[9] & 0xff);
        return rc == 0x922 || rc == 0x908 || rc == 0x90A;
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the TPM asked to retry");
        }
    }

    private Response parse(String name, byte[] response, int responseHandles, boolean absentOk)
            throws TpmCommandException {
        TpmReader r = new TpmReader(response);
        int rtag;
        long rc;
        try {
            rtag = r.u16("tag");
            long size = r.u32("responseSize");
            rc = r.u32("responseCode");
            if (size != response.length) {
                throw new TpmFormatException("responseSize " + size + " but " + response.length + " bytes came");
            }
        } catch (TpmFormatException e) {
            throw new TpmCommandException(name + ": malformed response: " + e.getMessage());
        }
        if (rc != 0) {
            if (absentOk && isAbsent(rc)) {
                return null;
            }
            throw new TpmCommandException(name, rc);
        }
        return read(name, () -> {
            long handle = 0;
            for (int i = 0; i < responseHandles; i++) {
                handle = r.u32("handle");
            }
            if (rtag == TPM_ST_SESSIONS) {
                long paramSize = r.u32("parameterSize");
                if (paramSize > r.remaining()) {
                    throw new TpmFormatException("parameterSize " + paramSize + " exceeds the response");
                }
                return new Response(handle, new TpmReader(response, r.position(), (int) paramSize));
            }
            return new Response(handle, new TpmReader(response, r.position(), r.remaining()));
        });
    }

    /** TPM_RC_HANDLE (format 1, error 0x0B, any handle number): the handle or NV index is not defined. */
    private static boolean isAbsent(long rc) {
        return (rc & 0x80) != 0 && (rc & 0x3f) == 0x0B;
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}

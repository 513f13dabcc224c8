package dev.cvmfde.protocol.wire.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.CredentialChallenge;
import dev.cvmfde.protocol.wire.CredentialResponse;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.MessageType;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireLimits;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The members of each message type, written and read in one place. */
final class MessageFields {
    private static final Set<String> EVIDENCE_REQUEST = Set.of("type", "version", "nonce");
    private static final Set<String> EVIDENCE = Set.of("type", "version", "token", "eventLog", "certChain",
            "ephemeralKey", "provider");
    private static final Set<String> RELEASE = Set.of("type", "version", "jws");
    private static final Set<String> REFUSAL = Set.of("type", "version", "stages");
    private static final Set<String> ACK = Set.of("type", "version", "unlocked", "detail");
    private static final Set<String> CREDENTIAL_CHALLENGE = Set.of("type", "version", "credentialBlob",
            "encryptedSecret");
    private static final Set<String> CREDENTIAL_RESPONSE = Set.of("type", "version", "secret");
    /** Members of the ephemeral public JWK; {@code d} is refused with its own message. */
    private static final Set<String> PUBLIC_EC_JWK = Set.of("kty", "crv", "x", "y", "kid");

    private MessageFields() {
    }

    static void write(Message message, ObjectNode node) {
        switch (message) {
            case EvidenceRequest request -> node.put("nonce", Fields.encode(request.nonce()));
            case Evidence evidence -> writeEvidence(evidence, node);
            case Release release -> node.put("jws", release.jws());
            case Refusal refusal -> {
                ArrayNode stages = node.putArray("stages");
                refusal.stages().forEach(stages::add);
            }
            case Ack ack -> node.put("unlocked", ack.unlocked()).put("detail", ack.detail());
            case CredentialChallenge c -> node.put("credentialBlob", Fields.encode(c.credentialBlob()))
                    .put("encryptedSecret", Fields.encode(c.encryptedSecret()));
            case CredentialResponse c -> node.put("secret", Fields.encode(c.secret()));
        }
    }

    private static void writeEvidence(Evidence evidence, ObjectNode node) {
        node.put("token", Fields.encode(evidence.token()));
        evidence.eventLog().ifPresent(log -> node.put("eventLog", Fields.encode(log)));
        if (!evidence.certChain().isEmpty()) {
            ArrayNode chain = node.putArray("certChain");
            evidence.certChain().forEach(cert -> chain.add(Fields.encode(cert)));
        }
        Map<String, Object> jwk = evidence.ephemeralKey().toPublicJWK().toJSONObject();
        node.set("ephemeralKey", MessageMapping.MAPPER.valueToTree(jwk));
        node.put("provider", evidence.provider());
    }

    static Message read(MessageType type, Fields fields) throws Fields.FieldException {
        return switch (type) {
            case EVIDENCE_REQUEST -> {
                fields.onlyMembers(EVIDENCE_REQUEST);
                yield new EvidenceRequest(fields.bytes("nonce", WireLimits.NONCE_BYTES));
            }
            case EVIDENCE -> readEvidence(fields);
            case RELEASE -> {
                fields.onlyMembers(RELEASE);
                yield new Release(fields.string("jws"));
            }
            case REFUSAL -> readRefusal(fields);
            case ACK -> {
                fields.onlyMembers(ACK);
                yield new Ack(fields.bool("unlocked"), fields.string("detail"));
            }
            case CREDENTIAL_CHALLENGE -> {
                fields.onlyMembers(CREDENTIAL_CHALLENGE);
                yield new CredentialChallenge(fields.bytes("credentialBlob", WireLimits.MAX_CREDENTIAL_BYTES),
                        fields.bytes("encryptedSecret", WireLimits.MAX_CREDENTIAL_BYTES));
            }
            case CREDENTIAL_RESPONSE -> {
                fields.onlyMembers(CREDENTIAL_RESPONSE);
                yield new CredentialResponse(fields.bytes("secret", WireLimits.MAX_CREDENTIAL_SECRET_BYTES));
            }
        };
    }

    private static Evidence readEvidence(Fields fields) throws Fields.FieldException {
        fields.onlyMembers(EVIDENCE);
        byte[] token = fields.bytes("token", WireLimits.MAX_TOKEN_BYTES);
        Optional<JsonNode> logNode = fields.optional("eventLog");
        byte[] eventLog = logNode.isPresent()
                ? Fields.bytes(logNode.get(), "eventLog", WireLimits.MAX_EVENT_LOG_BYTES) : null;
        List<byte[]> chain = new ArrayList<>();
        Optional<JsonNode> chainNode = fields.optional("certChain");
        if (chainNode.isPresent()) {
            JsonNode array = chainNode.get();
            if (!array.isArray() || array.size() > WireLimits.MAX_CERT_CHAIN_LENGTH) {
                throw new Fields.FieldException("member \"certChain\" must be an array of at most "
                        + WireLimits.MAX_CERT_CHAIN_LENGTH + " base64url DER certificates");
            }
            for (JsonNode cert : array) {
                chain.add(Fields.bytes(cert, "certChain[" + chain.size() + "]", WireLimits.MAX_CERT_BYTES));
            }
        }
        ECKey key = readPublicJwk(fields.required("ephemeralKey"));
        return new Evidence(token, Optional.ofNullable(eventLog), chain, key, fields.string("provider"));
    }

    private static ECKey readPublicJwk(JsonNode jwk) throws Fields.FieldException {
        if (!jwk.isObject()) {
            throw new Fields.FieldException("member \"ephemeralKey\" must be a JWK object");
        }
        if (jwk.has("d")) {
            throw new Fields.FieldException("member \"ephemeralKey\" has a private part (d); only the public key may be sent");
        }
        new Fields((ObjectNode) jwk).onlyMembers(PUBLIC_EC_JWK);
        for (String name : PUBLIC_EC_JWK) {
            if (jwk.has(name) && !jwk.get(name).isTextual()) {
                throw new Fields.FieldException("ephemeralKey member \"" + name + "\" must be a string");
            }
        }
        try {
            return ECKey.parse(jwk.toString());
        } catch (ParseException | RuntimeException e) {
            throw new Fields.FieldException("member \"ephemeralKey\" is not a valid EC public JWK: "
                    + Fields.shorten(String.valueOf(e.getMessage())));
        }
    }

    private static Refusal readRefusal(Fields fields) throws Fields.FieldException {
        fields.onlyMembers(REFUSAL);
        JsonNode array = fields.required("stages");
        if (!array.isArray() || array.isEmpty() || array.size() > WireLimits.MAX_REFUSED_STAGES) {
            throw new Fields.FieldException("member \"stages\" must be an array of 1 to " + WireLimits.MAX_REFUSED_STAGES
                    + " stage names");
        }
        List<String> stages = new ArrayList<>();
        for (JsonNode stage : array) {
            if (!stage.isTextual()) {
                throw new Fields.FieldException("stages[" + stages.size() + "] must be a string");
            }
            stages.add(stage.textValue());
        }
        return new Refusal(stages);
    }
}

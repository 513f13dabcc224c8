package dev.cvmfde.client.broker.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.client.broker.Broker;
import dev.cvmfde.client.broker.BrokerReleases;
import dev.cvmfde.client.broker.BrokerVerdict;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireException;
import dev.cvmfde.protocol.wire.WireLimits;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Routes the two endpoints. The challenge (an HMAC) is answered on the event loop; a release is
 * decoded here (the evidence message with the push protocol's strict decoder) and appraised on
 * the appraisal pool; the answer is written back on the event loop. Errors are answered with a
 * status and a one-line JSON reason; the request's bytes are never echoed. Stateless: shared by
 * every connection.
 */
@ChannelHandler.Sharable
public final class BrokerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The challenge body: {@code {"imageId": "…"}}. */
    public static final int MAX_CHALLENGE_BODY_BYTES = 1024;
    private static final int NONCE_BASE64_CHARS = 86;
    private static final System.Logger LOG = BrokerLog.LOGGER;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2).maxStringLength(256).build())
            .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Set while this connection's release is being appraised: an idle timer must not close it then. */
    private static final AttributeKey<Boolean> IN_FLIGHT = AttributeKey.valueOf("cvmfde-broker-in-flight");

    private final BrokerReleases releases;
    private final Executor appraisals;

    public BrokerHandler(BrokerReleases releases, Executor appraisals) {
        this.releases = releases;
        this.appraisals = appraisals;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            reply(ctx, false, HttpResponseStatus.BAD_REQUEST, error("malformed HTTP request"));
            return;
        }
        String path = request.uri().split("\\?", 2)[0];
        if (!path.equals(Broker.CHALLENGE_PATH) && !path.equals(Broker.RELEASE_PATH)) {
            reply(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("unknown path; POST " + Broker.CHALLENGE_PATH
                    + " or " + Broker.RELEASE_PATH));
            return;
        }
        if (!HttpMethod.POST.equals(request.method())) {
            reply(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, error("POST only"));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        if (path.equals(Broker.CHALLENGE_PATH)) {
            challenge(ctx, keepAlive, body);
        } else {
            release(ctx, keepAlive, request.headers().get(Broker.IMAGE_ID_HEADER),
                    request.headers().get(Broker.NONCE_HEADER), body);
        }
    }

    private void challenge(ChannelHandlerContext ctx, boolean keepAlive, byte[] body) {
        String imageId;
        try {
            imageId = imageIdOf(body);
        } catch (IllegalArgumentException e) {
            reply(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error(e.getMessage()));
            return;
        }
        reply(ctx, keepAlive, HttpResponseStatus.OK, message(new EvidenceRequest(releases.challenge(imageId))));
    }

    private static String imageIdOf(byte[] body) {
        if (body.length > MAX_CHALLENGE_BODY_BYTES) {
            throw new IllegalArgumentException("challenge body holds " + body.length + " bytes; at most "
                    + MAX_CHALLENGE_BODY_BYTES + " are allowed");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("challenge body is not one JSON object");
        }
        if (node == null || !node.isObject() || node.size() != 1 || !node.has("imageId") || !node.get("imageId").isTextual()) {
            throw new IllegalArgumentException("challenge body must be {\"imageId\": \"…\"} and nothing else");
        }
        return checkedImageId(node.get("imageId").textValue());
    }

    private static String checkedImageId(String id) {
        if (!ImageId.isValid(id)) {
            throw new IllegalArgumentException("imageId must be 1 to " + ImageId.MAX_CHARS
                    + " of a-z 0-9 . _ -, starting with a letter or digit");
        }
        return id;
    }

    private void release(ChannelHandlerContext ctx, boolean keepAlive, String imageHeader, String nonceHeader,
            byte[] body) {
        String imageId;
        byte[] nonce;
        Evidence evidence;
        try {
            imageId = checkedImageId(imageHeader);
            if (nonceHeader == null || nonceHeader.length() != NONCE_BASE64_CHARS) {
                throw new IllegalArgumentException(Broker.NONCE_HEADER + " must hold the " + WireLimits.NONCE_BYTES
                        + "-byte nonce as " + NONCE_BASE64_CHARS + " base64url characters");
            }
            nonce = Base64.getUrlDecoder().decode(nonceHeader);
            Message m = MessageJson.decode(body, Expect.HOST_AWAITING_EVIDENCE);
            evidence = (Evidence) m;
        } catch (IllegalArgumentException e) {
            reply(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error(e.getMessage()));
            return;
        } catch (WireException e) {
            reply(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error("evidence: " + e.error().describe()));
            return;
        }
        String peer = String.valueOf(ctx.channel().remoteAddress());
        ctx.channel().attr(IN_FLIGHT).set(true);
        try {
            appraisals.execute(() -> {
                FullHttpResponse response = decide(imageId, nonce, evidence, body, peer);
                ctx.executor().execute(() -> send(ctx, keepAlive, response));
            });
        } catch (RejectedExecutionException e) {
            FullHttpResponse busy = error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "busy: the appraisal queue is full (maxQueuedAppraisals); retry");
            reply(ctx, false, HttpResponseStatus.SERVICE_UNAVAILABLE, busy);
        }
    }

    /** On the appraisal pool. */
    private FullHttpResponse decide(String imageId, byte[] nonce, Evidence evidence, byte[] body, String peer) {
        try {
            return switch (releases.decide(imageId, nonce, evidence, body, peer)) {
                case BrokerVerdict.Released r -> {
                    LOG.log(Level.INFO, "{0}: image {1}: RELEASED", peer, imageId);
                    yield response(HttpResponseStatus.OK, message(new Release(r.jws())));
                }
                case BrokerVerdict.Refused r -> {
                    LOG.log(Level.WARNING, "{0}: image {1}: REFUSED at {2}: {3}", peer, imageId, r.stages(),
                            String.join("; ", r.reasons()));
                    yield response(HttpResponseStatus.FORBIDDEN, message(Refusal.of(r.stages())));
                }
            };
        } catch (StoreException e) {
            LOG.log(Level.ERROR, "{0}: image {1}: the audit trail cannot be written: {2}; nothing was released", peer,
                    imageId, e.getMessage());
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable: the store could not record; retry");
        } catch (VerifierException | RuntimeException e) {
            LOG.log(Level.ERROR, "{0}: image {1}: verifier fault: {2}", peer, imageId, e.toString());
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "verifier fault; nothing was released");
        }
    }

    private static byte[] message(Message m) {
        try {
            return MessageJson.encode(m);
        } catch (WireException e) {
            throw new IllegalStateException("a broker message does not fit its frame: " + e.error().describe(), e);
        }
    }

    private static byte[] error(String reason) {
        String escaped = reason.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?");
        return ("{\"error\":\"" + escaped + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String reason) {
        FullHttpResponse response = response(status, error(reason));
        if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, RequestBudget.RETRY_AFTER_SECONDS);
        }
        return response;
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static void reply(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] body) {
        send(ctx, keepAlive, response(status, body));
    }

    private static void reply(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
            FullHttpResponse response) {
        send(ctx, keepAlive && status.code() < 500, response);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        ctx.channel().attr(IN_FLIGHT).set(false);
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A connection silent for the idle timeout is closed, unless its release is still being appraised. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (!Boolean.TRUE.equals(ctx.channel().attr(IN_FLIGHT).get())) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.log(Level.WARNING, "{0}: closing connection: {1}", ctx.channel().remoteAddress(),
                    cause.getClass().getSimpleName());
        }
        ctx.close();
    }
}

package dev.cvmfde.server.internal;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.CredentialChallenge;
import dev.cvmfde.protocol.wire.CredentialResponse;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireCodec;
import dev.cvmfde.protocol.wire.WireException;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection, one session: evidence request → evidence bound to a fresh ephemeral key →
 * (TPM evidence only: one credential challenge → the activated secret) → release or refusal →
 * ack → close. Blocking work (the provider, opening the release, the key
 * sink) runs on the context's executors; state changes and writes happen on the event loop. Any
 * error is logged once and closes this connection only.
 */
public final class SessionHandler extends SimpleChannelInboundHandler<Message> {
    private static final System.Logger LOG = ServerLog.LOGGER;
    /** Exception text from Netty or the JDK is cut to this before it is logged (it may quote peer bytes). */
    static final int MAX_LOGGED_DETAIL_CHARS = 160;

    private enum State { AWAITING_REQUEST, COLLECTING, AWAITING_VERDICT, ACTIVATING, UNLOCKING, DONE }

    private sealed interface Collected {
        record Ready(ECKey ephemeral, Evidence evidence) implements Collected {
        }

        record Failed(String reason) implements Collected {
        }
    }

    private final WireCodec codec;
    private final SessionContext context;
    private State state = State.AWAITING_REQUEST;
    private byte[] nonce;
    private ECKey ephemeral;
    private String peer = "(unknown peer)";
    private ScheduledFuture<?> sessionDeadline;
    private boolean challenged;

    public SessionHandler(WireCodec codec, SessionContext context) {
        this.codec = codec;
        this.context = context;
    }

    /** A connection that waited in the queue is already active when its handlers are added. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (sessionDeadline != null) {
            return;
        }
        peer = String.valueOf(ctx.channel().remoteAddress());
        long millis = context.sessionTimeout().toMillis();
        sessionDeadline = ctx.executor().schedule(() -> fail(ctx, "session timeout: connection open longer than "
                + human(context.sessionTimeout())), millis, TimeUnit.MILLISECONDS);
        LOG.log(Level.DEBUG, "{0}: connected", peer);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sessionDeadline != null) {
            sessionDeadline.cancel(false);
        }
        if (state != State.DONE && state != State.UNLOCKING) {
            LOG.log(Level.INFO, "{0}: peer closed the connection while the guest was {1}", peer, describe(state));
            state = State.DONE;
        }
        forgetSession();
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message message) {
        switch (message) {
            case EvidenceRequest request when state == State.AWAITING_REQUEST -> onRequest(ctx, request);
            case Release release when state == State.AWAITING_VERDICT -> onRelease(ctx, release);
            case Refusal refusal when state == State.AWAITING_VERDICT -> onRefusal(ctx, refusal);
            case CredentialChallenge challenge when state == State.AWAITING_VERDICT && !challenged ->
                    onCredentialChallenge(ctx, challenge);
            default -> fail(ctx, "protocol: " + message.type().wireName() + " arrived while the guest was "
                    + describe(state));
        }
    }

    private void onRequest(ChannelHandlerContext ctx, EvidenceRequest request) {
        if (context.gate().unlocked()) {
            fail(ctx, "unlocked: a released key has opened the volume; this guest serves no more evidence");
            return;
        }
        java.net.InetAddress source = ((java.net.InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        switch (context.limiter().tryEvidenceRequest(source, System.nanoTime())) {
            case SOURCE_RATE -> {
                fail(ctx, "rate limit: more evidence requests from this source than the server answers per second"
                        + " (evidenceRequestsPerSecondPerSource); try again shortly");
                return;
            }
            case OVERALL_RATE -> {
                fail(ctx, "rate limit: more evidence requests than the server answers per second"
                        + " (evidenceRequestsPerSecond); try again shortly");
                return;
            }
            case ALLOWED -> {
            }
        }
        state = State.COLLECTING;
        nonce = request.nonce();
        ctx.channel().config().setAutoRead(false);
        byte[] sessionNonce = nonce;
        submit(ctx, context.evidenceExecutor(), () -> {
            Collected collected = collect(sessionNonce);
            ctx.executor().execute(() -> afterCollect(ctx, collected));
        });
    }

    /** Off the event loop: a fresh ephemeral key, the bound challenge, the provider. */
    private Collected collect(byte[] sessionNonce) {
        try {
            ECKey key = EphemeralKeys.generate();
            ECKey publicKey = key.toPublicJWK();
            byte[] challenge = ChallengeBinding.challenge(sessionNonce, publicKey);
            Evidence evidence = EvidenceMessages.toWire(context.provider().collect(challenge), publicKey);
            return new Collected.Ready(key, evidence);
        } catch (EvidenceException e) {
            return new Collected.Failed("evidence (" + e.kind() + "): " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Collected.Failed("evidence: the provider's output does not fit the wire protocol: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Collected.Failed("evidence: provider " + context.provider().name() + " failed: " + e);
        }
    }

    private void afterCollect(ChannelHandlerContext ctx, Collected collected) {
        if (state != State.COLLECTING || !ctx.channel().isActive()) {
            return;
        }
        if (context.gate().unlocked()) {
            fail(ctx, "unlocked: a released key opened the volume while this evidence was collected; not sent");
            return;
        }
        switch (collected) {
            case Collected.Failed failed -> fail(ctx, failed.reason());
            case Collected.Ready ready -> {
                ephemeral = ready.ephemeral();
                state = State.AWAITING_VERDICT;
                codec.expect(TpmProvider.NAME.equals(context.provider().name())
                        ? Expect.GUEST_AWAITING_CHALLENGE_OR_VERDICT : Expect.GUEST_AWAITING_VERDICT);
                ctx.writeAndFlush(ready.evidence()).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        fail(ctx, "sending evidence failed: " + f.cause());
                    }
                });
                ctx.channel().config().setAutoRead(true);
                LOG.log(Level.INFO, "{0}: evidence sent ({1}); waiting for the verifier''s verdict", peer, ready.evidence());
            }
        }
    }

    /** TPM evidence: ActivateCredential off the event loop, then the secret back; once per session. */
    private void onCredentialChallenge(ChannelHandlerContext ctx, CredentialChallenge challenge) {
        challenged = true;
        state = State.ACTIVATING;
        ctx.channel().config().setAutoRead(false);
        submit(ctx, context.evidenceExecutor(), () -> {
            Message answer;
            String failure = null;
            try {
                answer = new CredentialResponse(context.provider().activateCredential(challenge.credentialBlob(),
                        challenge.encryptedSecret()));
            } catch (EvidenceException | RuntimeException e) {
                answer = null;
                failure = "credential activation: " + e.getMessage();
            }
            Message response = answer;
            String why = failure;
            ctx.executor().execute(() -> {
                if (state != State.ACTIVATING || !ctx.channel().isActive()) {
                    return;
                }
                if (response == null) {
                    fail(ctx, why);
                    return;
                }
                state = State.AWAITING_VERDICT;
                codec.expect(Expect.GUEST_AWAITING_VERDICT);
                ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        fail(ctx, "sending the credential response failed: " + f.cause());
                    }
                });
                ctx.channel().config().setAutoRead(true);
                LOG.log(Level.INFO, "{0}: credential activated; waiting for the verifier''s verdict", peer);
            });
        });
    }

    private void onRelease(ChannelHandlerContext ctx, Release release) {
        state = State.UNLOCKING;
        ctx.channel().config().setAutoRead(false);
        ECKey key = ephemeral;
        byte[] sessionNonce = nonce;
        forgetSession();
        SocketAddress remote = ctx.channel().remoteAddress();
        submit(ctx, context.unlockExecutor(), () -> {
            ReleaseGate.Result result = context.gate().handle(release.jws(), key, sessionNonce, peer);
            ctx.executor().execute(() -> afterUnlock(ctx, result, remote));
        });
    }

    private void afterUnlock(ChannelHandlerContext ctx, ReleaseGate.Result result, SocketAddress remote) {
        state = State.DONE;
        ChannelFutureListener then = f -> {
            ctx.close();
            if (result instanceof ReleaseGate.Result.Unlocked unlocked) {
                context.onUnlocked().accept(unlocked.detail(), remote);
            }
        };
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(result.ack()).addListener(then);
        } else {
            try {
                then.operationComplete(ctx.newSucceededFuture());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "{0}: completing the session failed: {1}", peer, e.toString());
            }
        }
    }

    private void onRefusal(ChannelHandlerContext ctx, Refusal refusal) {
        state = State.DONE;
        LOG.log(Level.WARNING, "{0}: the verifier refused to release the key: {1} (the details are in the verifier''s"
                + " verdict table)", peer, String.join(", ", refusal.stages()));
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent
                && (state == State.AWAITING_REQUEST || state == State.AWAITING_VERDICT)) {
            fail(ctx, "read timeout: no message for " + human(context.readTimeout())
                    + " while the guest was " + describe(state));
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.DONE) {
            ctx.close();
            return;
        }
        String what = WireException.findIn(cause).map(e -> "wire: " + e.error().describe())
                .orElseGet(() -> describe(cause));
        fail(ctx, what);
    }

    /** Logs once, forgets the session's secrets and closes; other connections are unaffected. */
    private void fail(ChannelHandlerContext ctx, String reason) {
        if (state == State.DONE) {
            return;
        }
        LOG.log(Level.WARNING, "{0}: closing connection: {1}", peer, reason);
        state = State.DONE;
        forgetSession();
        ctx.close();
    }

    private void submit(ChannelHandlerContext ctx, java.util.concurrent.Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            fail(ctx, "the server is shutting down");
        }
    }

    private void forgetSession() {
        ephemeral = null;
        nonce = null;
    }

    /** One short line for a non-wire failure; never a dump of what the peer sent. */
    private static String describe(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
                return "tls: the peer did not speak TLS (a plain-TCP client?)";
            }
            if (t instanceof javax.net.ssl.SSLException ssl) {
                return "tls: " + ssl.getClass().getSimpleName() + ": " + shorten(ssl.getMessage());
            }
        }
        String kind = cause instanceof IOException ? "connection" : "error";
        return kind + ": " + cause.getClass().getSimpleName() + ": " + shorten(cause.getMessage());
    }

    private static String shorten(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.replaceAll("\\p{Cntrl}", "?");
        return line.length() > MAX_LOGGED_DETAIL_CHARS ? line.substring(0, MAX_LOGGED_DETAIL_CHARS) + "…" : line;
    }

    private static String human(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(State state) {
        return switch (state) {
            case AWAITING_REQUEST -> "waiting for an evidence request";
            case COLLECTING -> "collecting evidence";
            case AWAITING_VERDICT -> "waiting for a release or refusal";
            case ACTIVATING -> "activating a TPM credential";
            case UNLOCKING -> "unlocking";
            case DONE -> "done";
        };
    }
}

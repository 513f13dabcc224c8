package dev.cvmfde.client.broker.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Before the aggregator: every request must state its {@code Content-Length} (no chunked
 * bodies), at most {@code maxRequestBytes}, and those bytes are reserved from the budget that
 * all connections share until this connection's response is written. A request that does not fit
 * is answered at once ({@code 411}, {@code 413}, or {@code 503} with {@code Retry-After}) and the
 * connection closed, before its body is buffered. One per connection.
 */
public final class RequestBudget extends ChannelDuplexHandler {
    /** Seconds a guest told "busy" should wait before it retries. */
    public static final int RETRY_AFTER_SECONDS = 1;

    private final AtomicLong budget;
    private final int maxRequestBytes;
    private long reserved;
    private boolean discarding;

    public RequestBudget(AtomicLong budget, int maxRequestBytes) {
        this.budget = budget;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            String refusal = admit(request);
            if (refusal != null) {
                discarding = true;
                ReferenceCountUtil.release(msg);
                HttpResponseStatus status = switch (refusal) {
                    case "length-required" -> HttpResponseStatus.LENGTH_REQUIRED;
                    case "too-large" -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
                    default -> HttpResponseStatus.SERVICE_UNAVAILABLE;
                };
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        Unpooled.copiedBuffer("{\"error\":\"" + refusal + "\"}\n", StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                        .set(HttpHeaderNames.CONNECTION, "close");
                if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
                    response.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                }
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            discarding = false;
        } else if (discarding && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Null when admitted, else the reason. */
    private String admit(HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request) || !request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return "length-required";
        }
        long length;
        try {
            length = HttpUtil.getContentLength(request);
        } catch (NumberFormatException e) {
            return "length-required";
        }
        if (length < 0 || length > maxRequestBytes) {
            return "too-large";
        }
        release();
        long left = budget.addAndGet(-length);
        if (left < 0) {
            budget.addAndGet(length);
            return "busy: request bodies buffered by all connections are at maxBufferedBytes; retry";
        }
        reserved = length;
        return null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse) {
            release();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    private void release() {
        if (reserved > 0) {
            budget.addAndGet(reserved);
            reserved = 0;
        }
    }
}

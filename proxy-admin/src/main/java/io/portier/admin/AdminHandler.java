package io.portier.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.portier.core.transport.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One admin HTTP connection: checks the decoded request, the token and the origin, routes it, runs
 * the endpoint and writes its answer. Every failure becomes a JSON error; none escapes.
 *
 * <p>Thread: one instance per connection, on the admin event loop. An endpoint that completes later
 * (reload) turns reads off until its answer is written, so answers keep request order.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final Router router;
    private final BearerAuth auth;

    AdminHandler(Router router, BearerAuth auth) {
        this.router = router;
        this.auth = auth;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            writeAndClose(ctx, decodeError(decoded.cause()));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        CompletableFuture<AdminResponse> answer;
        try {
            answer = handle(ctx, request);
        } catch (ApiException e) {
            answer = CompletableFuture.completedFuture(error(e));
        } catch (RuntimeException e) {
            answer = CompletableFuture.completedFuture(internalError(request, e));
        }
        if (answer.isDone()) {
            write(ctx, answer.getNow(null), keepAlive);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        answer.handle((response, failure) -> {
            AdminResponse r = failure == null ? response : failed(request, failure);
            ctx.executor().execute(() -> {
                write(ctx, r, keepAlive);
                ctx.channel().config().setAutoRead(true);
            });
            return null;
        });
    }

    private CompletableFuture<AdminResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path;
        Map<String, List<String>> query;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            path = uri.path();
            query = uri.parameters();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("uri: " + Json.abbreviate(request.uri()) + " (expected: a valid URI)");
        }
        HttpMethod method = request.method();
        if (auth.required() && !router.isOpen(method, path)
                && !auth.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            throw new ApiException(HttpResponseStatus.UNAUTHORIZED,
                    "authorization: missing or wrong token (expected: Authorization: Bearer TOKEN)", List.of(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"portier\""));
        }
        Router.Match match = router.route(method, path);
        if (!HttpMethod.GET.equals(method)) {
            checkOrigin(request);
        }
        byte[] body = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), body);
        AdminRequest r = new AdminRequest(method, path, query, match.params(), body, remote(ctx));
        return match.endpoint().handle(r);
    }

    /**
     * A browser sends Origin with cross-site POST and PUT; refusing a foreign one keeps other pages the
     * operator has open from draining servers through this port when no token is set.
     */
    private static void checkOrigin(FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String originHost;
        try {
            URI u = URI.create(origin);
            originHost = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
        } catch (IllegalArgumentException e) {
            originHost = null;
        }
        if (host == null || originHost == null || !originHost.equalsIgnoreCase(host)) {
            throw new ApiException(HttpResponseStatus.FORBIDDEN,
                    "origin: " + Json.abbreviate(origin) + " (expected: the admin address itself)");
        }
    }

    private static AdminResponse decodeError(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return AdminResponse.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "headers: too large (expected: at most " + AdminServer.MAX_HEADER_BYTES + " bytes)", List.of());
        }
        if (cause instanceof TooLongHttpLineException) {
            return AdminResponse.error(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line: too long (expected: at most " + AdminServer.MAX_LINE_BYTES + " bytes)", List.of());
        }
        if (cause instanceof TooLongFrameException) {
            return AdminResponse.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request: too large", List.of());
        }
        String detail = cause == null || cause.getMessage() == null ? "unreadable request" : cause.getMessage();
        return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "request: malformed HTTP",
                List.of(Json.abbreviate(detail)));
    }

    private static AdminResponse error(ApiException e) {
        AdminResponse r = AdminResponse.error(e.status(), e.getMessage(), e.problems());
        for (Map.Entry<String, String> h : e.headers().entrySet()) {
            r = r.withHeader(h.getKey(), h.getValue());
        }
        return r;
    }

    private static AdminResponse failed(FullHttpRequest request, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof ApiException e ? error(e) : internalError(request, cause);
    }

    private static AdminResponse internalError(FullHttpRequest request, Throwable e) {
        LOG.warn("admin {} {} failed", request.method(), Json.abbreviate(request.uri()), e);
        return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "internal error: " + e.getClass().getSimpleName(), List.of(String.valueOf(e.getMessage())));
    }

    private static void writeAndClose(ChannelHandlerContext ctx, AdminResponse r) {
        write(ctx, r, false);
    }

    static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        if (!res.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
            res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.debug("admin connection from {} failed", remote(ctx), cause);
        }
        ctx.close();
    }

    static String remote(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            return Addresses.format(a);
        }
        return String.valueOf(ctx.channel().remoteAddress());
    }
}

package dev.atlas.patch.instrument;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which methods are request boundaries: a boundary method runs wholly in one view (a
 * request scope), and between two calls of it the thread is detached, so that a migration
 * never waits for it. A pattern {@code Type#method} selects the methods of that name
 * declared by {@code Type} itself or by any class that extends or implements it, at any depth
 * ({@link #isBoundary(Set, String)} with {@link TypeHierarchy}).
 *
 * <p>The defaults are the outermost request entries of common servers: the JDK's HTTP
 * server's handlers, servlet filter chains, filters and servlets (jakarta and javax: the first
 * {@code FilterChain.doFilter} of a request opens its scope, so filters run in the same view
 * as the servlet), Jetty handlers, and Netty's inbound {@code channelRead} (on an event loop,
 * one request is one handler invocation: the thread is between requests between two of them).
 * Nested boundary calls open ordinary nested scopes.
 *
 * <p>Threading: immutable.
 */
public final class BoundaryMatcher {
    /**
     * {@code HttpHandler.handle}, servlet filters and {@code Servlet.service}/{@code HttpServlet.doXxx}
     * (javax and jakarta), Jetty's {@code Handler.handle}, Netty's {@code channelRead} (also under
     * Reactor Netty and Spring WebFlux, and gRPC's shaded Netty), each callback of a gRPC server call
     * on the call's executor ({@code io.grpc.internal.ContextRunnable.run}: a unary handler runs in
     * one), Undertow's {@code HttpHandler.handleRequest}.
     */
    public static final List<String> DEFAULTS = List.of(
            "com.sun.net.httpserver.HttpHandler#handle",
            "jakarta.servlet.FilterChain#doFilter", "javax.servlet.FilterChain#doFilter",
            "jakarta.servlet.Filter#doFilter", "javax.servlet.Filter#doFilter",
            "org.eclipse.jetty.server.Handler#handle",
            "io.netty.channel.ChannelInboundHandler#channelRead",
            "io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandler#channelRead",
            "io.grpc.internal.ContextRunnable#run",
            "io.undertow.server.HttpHandler#handleRequest",
            "jakarta.servlet.Servlet#service", "javax.servlet.Servlet#service",
            "jakarta.servlet.http.HttpServlet#service", "javax.servlet.http.HttpServlet#service",
            "jakarta.servlet.http.HttpServlet#doGet", "javax.servlet.http.HttpServlet#doGet",
            "jakarta.servlet.http.HttpServlet#doPost", "javax.servlet.http.HttpServlet#doPost");

    private record Pattern(String type, String method, AtomicBoolean matched) {}

    private final List<Pattern> patterns;

    /** @throws IllegalArgumentException naming a pattern that is not {@code Type#method} */
    public BoundaryMatcher(List<String> patterns) {
        this.patterns = patterns.stream().map(BoundaryMatcher::parse).toList();
    }

    private static Pattern parse(String p) {
        Objects.requireNonNull(p, "boundary");
        int h = p.indexOf('#');
        if (h <= 0 || h == p.length() - 1 || p.indexOf('#', h + 1) >= 0 || p.contains("(")) {
            throw new IllegalArgumentException("boundary '" + p + "': expected Type#method, e.g. "
                    + "com.sun.net.httpserver.HttpHandler#handle");
        }
        return new Pattern(p.substring(0, h).replace('.', '/'), p.substring(h + 1), new AtomicBoolean());
    }

    /** Whether some pattern names a method called {@code methodName} (a cheap test before the hierarchy walk). */
    public boolean namesMethod(String methodName) {
        for (Pattern p : patterns) {
            if (p.method.equals(methodName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code methodName}, declared by a class with these supertypes, is a boundary.
     *
     * @param supertypes the class and all its supertypes (see {@link TypeHierarchy#supertypes})
     */
    public boolean isBoundary(Set<String> supertypes, String methodName) {
        boolean any = false;
        for (Pattern p : patterns) {
            if (p.method.equals(methodName) && supertypes.contains(p.type)) {
                p.matched.set(true);
                any = true;
            }
        }
        return any;
    }

    /** Whether one of these types (internal names) is the type of some pattern. */
    public boolean namesAnyType(Set<String> types) {
        for (Pattern p : patterns) {
            if (types.contains(p.type)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} (an internal name) is the type of some pattern. */
    public boolean namesType(String type) {
        for (Pattern p : patterns) {
            if (p.type.equals(type)) {
                return true;
            }
        }
        return false;
    }

    /** The patterns that have matched no method so far, as given ({@code Type#method}). */
    public List<String> unmatched() {
        List<String> out = new ArrayList<>();
        for (Pattern p : patterns) {
            if (!p.matched.get()) {
                out.add(p.type.replace('/', '.') + "#" + p.method);
            }
        }
        return out;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }
}

package dev.atlas.patch.instrument;

import java.util.List;
import java.util.Objects;

/**
 * Which methods are request boundaries: a boundary method runs wholly in one view (a
 * request scope), and between two calls of it the thread is detached, so that a migration
 * never waits for it. A pattern {@code Type#method} selects the methods of that name
 * declared by {@code Type} itself or by a class that directly extends or implements it.
 *
 * <p>The defaults are the request handlers of the JDK's HTTP server and of servlets.
 *
 * <p>Threading: immutable.
 */
public final class BoundaryMatcher {
    /** {@code HttpHandler.handle}, {@code Servlet.service}, {@code HttpServlet.doXxx} (javax and jakarta). */
    public static final List<String> DEFAULTS = List.of(
            "com.sun.net.httpserver.HttpHandler#handle",
            "jakarta.servlet.Servlet#service", "javax.servlet.Servlet#service",
            "jakarta.servlet.http.HttpServlet#service", "javax.servlet.http.HttpServlet#service",
            "jakarta.servlet.http.HttpServlet#doGet", "javax.servlet.http.HttpServlet#doGet",
            "jakarta.servlet.http.HttpServlet#doPost", "javax.servlet.http.HttpServlet#doPost");

    private record Pattern(String type, String method) {}

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
        return new Pattern(p.substring(0, h).replace('.', '/'), p.substring(h + 1));
    }

    /**
     * @param className  internal name of the class declaring the method
     * @param superName  internal name of its superclass (or null)
     * @param interfaces internal names of the interfaces it implements directly
     */
    public boolean isBoundary(String className, String superName, List<String> interfaces, String methodName) {
        for (Pattern p : patterns) {
            if (p.method.equals(methodName)
                    && (p.type.equals(className) || p.type.equals(superName) || interfaces.contains(p.type))) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }
}

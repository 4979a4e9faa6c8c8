package dev.atlas.patch.instrument;

import dev.atlas.patch.agent.AgentOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ClassSelectorTest {
    final ClassLoader app = new ClassLoader("app", null) {};

    @Test
    void patternsSelectClassesPackagesAndTrees() {
        ClassSelector s = new ClassSelector(List.of("com.acme.Foo", "org.shop.*", "net.x.**"), List.of("net.x.gen.**"));
        assertTrue(s.selects("com/acme/Foo", app));
        assertTrue(s.selects("com/acme/Foo$1", app), "nested classes follow their outer class");
        assertFalse(s.selects("com/acme/FooBar", app));
        assertTrue(s.selects("org/shop/Cart", app));
        assertFalse(s.selects("org/shop/sub/Cart", app), "a package pattern does not include subpackages");
        assertTrue(s.selects("net/x/a/b/C", app));
        assertFalse(s.selects("net/x/gen/C", app), "excluded");
        assertFalse(s.selects("com/other/C", app));
    }

    @Test
    void theJdkAtlasAndTheBootAndPlatformLoadersAreNeverSelected() {
        ClassSelector all = new ClassSelector(List.of("**"), List.of());
        assertTrue(all.selects("com/acme/Foo", app));
        assertFalse(all.selects("java/util/ArrayList", app));
        assertFalse(all.selects("dev/atlas/core/ViewSpace", app));
        assertFalse(all.selects("dev/atlas/patch/runtime/Dispatch", app));
        assertFalse(all.selects("com/acme/Foo", null));
        assertFalse(all.selects("com/acme/Foo", ClassLoader.getPlatformClassLoader()));
        assertFalse(all.selects("com/acme/module-info", app));
    }

    @Test
    void malformedPatternsAreRefusedByName() {
        for (String bad : List.of("com/acme/Foo", "com.*.Foo", "com.acme.*Foo", "", "com.acme.***")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ClassSelector(List.of(bad), List.of()), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void boundariesMatchTheTypeItselfItsSuperclassOrItsInterfaces() {
        BoundaryMatcher b = new BoundaryMatcher(BoundaryMatcher.DEFAULTS);
        assertTrue(b.isBoundary("app/H", "java/lang/Object", List.of("com/sun/net/httpserver/HttpHandler"), "handle"));
        assertFalse(b.isBoundary("app/H", "java/lang/Object", List.of("com/sun/net/httpserver/HttpHandler"), "other"));
        assertTrue(b.isBoundary("app/S", "jakarta/servlet/http/HttpServlet", List.of(), "doGet"));
        assertFalse(b.isBoundary("app/X", "java/lang/Object", List.of(), "handle"));
        assertThrows(IllegalArgumentException.class, () -> new BoundaryMatcher(List.of("app.H.handle")));
        assertThrows(IllegalArgumentException.class, () -> new BoundaryMatcher(List.of("app.H#handle(I)V")));
    }

    @Test
    void agentOptionsParseListsAndRefuseUnknownKeys() {
        AgentOptions o = AgentOptions.parse("include=com.acme.**;org.x.*,exclude=com.acme.gen.**,boundary=app.W#process");
        assertEquals(List.of("com.acme.**", "org.x.*"), o.includes());
        assertEquals(List.of("com.acme.gen.**"), o.excludes());
        assertEquals(List.of("app.W#process"), o.boundaries());
        assertEquals(BoundaryMatcher.DEFAULTS, AgentOptions.parse(null).boundaries());
        assertEquals(List.of(), AgentOptions.parse("boundary=none").boundaries());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("inclde=x"));
        assertTrue(e.getMessage().contains("inclde"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("include"));
    }

    @Test
    void agentOptionsJitNiceDefaultsToTheLowestPriorityAndRefusesValuesOutOfRange() {
        assertEquals(AgentOptions.DEFAULT_JIT_NICE, AgentOptions.parse(null).jitNice());
        assertEquals(19, AgentOptions.DEFAULT_JIT_NICE);
        assertEquals(0, AgentOptions.parse("jitNice=0").jitNice());
        assertEquals(7, AgentOptions.parse("include=a.**,jitNice=7").jitNice());
        for (String bad : new String[] {"20", "-1", "high", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AgentOptions.parse("jitNice=" + bad));
            assertTrue(e.getMessage().contains("jitNice=" + bad) && e.getMessage().contains("0")
                    && e.getMessage().contains("19"), e.getMessage());
        }
    }
}

package dev.atlas.patch.instrument;

import dev.atlas.core.ViewSpace;
import dev.atlas.patch.agent.install.AgentOptions;
import dev.atlas.patch.agent.AtlasAgent;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.jit.JitPriority;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

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
    void aWidenedSelectorSelectsWhatEitherSelectsEachWithItsOwnExcludes() {
        ClassSelector s = new ClassSelector(List.of("com.acme.**"), List.of("com.acme.gen.**"));
        ClassSelector w = s.widenedBy(new ClassSelector(List.of("org.shop.Cart", "com.acme.gen.Keep"), List.of("com.acme.**")));
        assertTrue(w.selects("com/acme/Foo", app), "the excludes of the widening do not deselect what was selected");
        assertTrue(w.selects("org/shop/Cart", app));
        assertTrue(w.selects("org/shop/Cart$Line", app));
        assertFalse(w.selects("org/shop/Order", app));
        assertFalse(w.selects("com/acme/gen/Other", app), "the first part's excludes hold for its includes");
        assertFalse(w.selects("com/acme/gen/Keep", app), "the widening's own excludes hold for its includes");
        assertTrue(w.excludes("com/acme/gen/Keep") && !w.excludes("org/shop/Cart"));
        assertEquals("include [com.acme.**], exclude [com.acme.gen.**] + include [org.shop.Cart, com.acme.gen.Keep], "
                + "exclude [com.acme.**]", w.toString());
        assertSame(w, w.widenedBy(new ClassSelector(List.of("org.shop.Cart", "com.acme.gen.Keep"), List.of("com.acme.**"))),
                "a pair it has adds nothing");
        assertFalse(w.selectsEveryClass());
        assertTrue(w.widenedBy(new ClassSelector(List.of("**"), List.of())).selectsEveryClass());
    }

    @Test
    void noneSelectsNothingUntilWidenedAndNeverTheJdk() {
        ClassSelector none = ClassSelector.none();
        assertFalse(none.selects("com/acme/Foo", app));
        assertTrue(none.boundaryEligible("com/acme/Foo", app), "request boundaries are woven whatever the selection");
        assertEquals("include [no class]", none.toString());
        ClassSelector one = none.widenedBy(new ClassSelector(List.of("com.acme.Foo"), List.of()));
        assertTrue(one.selects("com/acme/Foo", app) && one.selectsName("com/acme/Foo"));
        assertFalse(one.selects("com/acme/Bar", app));
        assertFalse(one.widenedBy(new ClassSelector(List.of("**"), List.of())).selectsName("java/util/List"));
    }

    @Test
    void proxiesAFrameworkGeneratesAtRunTimeAreNeverSelected() {
        ClassSelector s = new ClassSelector(List.of("it.spring.**"), List.of());
        assertTrue(s.selects("it/spring/PriceService", app));
        assertFalse(s.selects("it/spring/PriceService$$SpringCGLIB$$0", app));
        assertFalse(s.selects("it/spring/SpringApp$$SpringCGLIB$$FastClass$$0", app));
        assertFalse(s.selects("it/spring/Item$HibernateProxy$a1B2c3D4", app));
        assertTrue(s.selects("it/spring/Item$Builder", app), "other nested classes follow their outer class");
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

    /** Every class of the code the agent jar is made of (agent, format, core; jars or directories). */
    @Test
    void noClassOfTheAgentsOwnCodeIsEverSelected() throws Exception {
        ClassSelector all = new ClassSelector(List.of("**"), List.of());
        List<String> names = new ArrayList<>();
        for (Class<?> c : List.of(AtlasAgent.class, PatchFile.class, ViewSpace.class)) {
            Path root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.map(p -> root.relativize(p).toString().replace('\\', '/')).filter(n -> n.endsWith(".class"))
                            .forEach(names::add);
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    Collections.list(jar.entries()).stream().map(JarEntry::getName).filter(n -> n.endsWith(".class"))
                            .forEach(names::add);
                }
            }
        }
        assertTrue(names.contains("dev/atlas/patch/jit/JitPriorityWindow.class"), names::toString);
        assertTrue(names.contains("dev/atlas/patch/variant/CodeVariant.class"), names::toString);
        List<String> selected = names.stream().map(n -> n.substring(0, n.length() - ".class".length()))
                .filter(n -> all.selects(n, app)).toList();
        assertEquals(List.of(), selected, "classes of the agent's own code that the agent would instrument");
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
        assertTrue(b.isBoundary(Set.of("app/H", "java/lang/Object", "com/sun/net/httpserver/HttpHandler"), "handle"));
        assertFalse(b.isBoundary(Set.of("app/H", "java/lang/Object", "com/sun/net/httpserver/HttpHandler"), "other"));
        assertTrue(b.isBoundary(Set.of("app/S", "jakarta/servlet/http/HttpServlet"), "doGet"));
        assertFalse(b.isBoundary(Set.of("app/X", "java/lang/Object"), "handle"));
        assertTrue(b.isBoundary(Set.of("io/grpc/internal/ContextRunnable", "java/lang/Runnable"), "run"));
        assertFalse(b.isBoundary(Set.of("app/R", "java/lang/Runnable"), "run"));
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
    void agentOptionsJitPriorityDefaultsToIdleAndRefusesValuesItDoesNotKnow() {
        assertEquals(JitPriority.IDLE, AgentOptions.parse(null).jitPriority());
        assertEquals(JitPriority.IDLE, AgentOptions.DEFAULT_JIT_PRIORITY);
        assertEquals(JitPriority.OFF, AgentOptions.parse("jitPriority=0").jitPriority());
        assertEquals(JitPriority.OFF, AgentOptions.parse("jitPriority=off").jitPriority());
        assertEquals(JitPriority.nice(7), AgentOptions.parse("include=a.**,jitPriority=7").jitPriority());
        assertEquals(JitPriority.IDLE, AgentOptions.parse("jitPriority=idle").jitPriority());
        for (String bad : new String[] {"20", "-1", "high", "", "IDLE"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AgentOptions.parse("jitPriority=" + bad));
            assertTrue(e.getMessage().contains("jitPriority=" + bad) && e.getMessage().contains("idle")
                    && e.getMessage().contains("off") && e.getMessage().contains("19"), e.getMessage());
        }
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("jitNice=19"));
        assertTrue(old.getMessage().contains("jitPriority"), old.getMessage());
    }
}

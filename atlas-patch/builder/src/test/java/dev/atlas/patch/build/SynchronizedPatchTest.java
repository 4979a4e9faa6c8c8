package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Methods that are {@code synchronized} in the new release and not in the running class: a
 * new synchronized method (instance and static) and {@code synchronized} added to an existing
 * method. The new view's body holds the lock the new release's method would hold (the
 * receiver, the class object), also while it throws; the old view runs unlocked; rollback
 * restores it. {@code synchronized} removed stays refused, with the reason.
 */
class SynchronizedPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package sy;
            public class Account {
                public boolean guarded() { return Thread.holdsLock(this); }
                public String probe() { return "old"; }
                public String fail() { return "old"; }
            }
            """;
    static final String V2 = """
            package sy;
            public class Account {
                public synchronized boolean guarded() { return Thread.holdsLock(this); }
                public String probe() { return instanceLocked() + "," + classLocked(); }
                public String fail() { try { failing(); return "no"; } catch (IllegalStateException e) { return "released=" + !Thread.holdsLock(this); } }
                synchronized boolean instanceLocked() { return Thread.holdsLock(this); }
                static synchronized boolean classLocked() { return Thread.holdsLock(Account.class); }
                synchronized void failing() { throw new IllegalStateException("inside the lock"); }
            }
            """;

    @Test
    void theNewViewHoldsTheLocksOfTheNewReleaseAndTheOldViewDoesNot(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("sy.Account", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("sy.Account", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("sy/Account classLocked()Z: new synchronized method; its body "
                + "takes the lock (the class object) itself")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("sy/Account guarded()Z: method modifiers changed (+synchronized)")
                && n.contains("the new view's body takes the lock itself")), result.notes()::toString);
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("sy-lock", Fixtures.classes(v1), new ClassSelector(List.of("sy.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("sy.Account");
        Object account = c.getConstructor().newInstance();
        assertEquals(false, c.getMethod("guarded").invoke(account));
        assertEquals("old", c.getMethod("probe").invoke(account));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals(true, c.getMethod("guarded").invoke(account), "synchronized added: the new view's body holds the receiver's lock");
        assertEquals("true,true", c.getMethod("probe").invoke(account), "new synchronized methods lock the receiver and the class");
        assertEquals("released=true", c.getMethod("fail").invoke(account), "the lock is released when the body throws");
        assertFalse(Thread.holdsLock(account));

        pipeline.rollback().migration().await(LONG);
        assertEquals(false, c.getMethod("guarded").invoke(account));
        assertEquals("old", c.getMethod("probe").invoke(account));
    }

    /** The shape of log4j-core 2.16.0 to 2.17.0 ({@code JndiManager.lookup}, CVE-2021-45105): synchronized removed. */
    static final String JNDI_V1 = """
            package sy;
            import java.util.List;
            public class Manager {
                private final List<String> allowed = List.of("ldap");
                private final java.util.Map<String, String> context = new java.util.HashMap<>(java.util.Map.of("java:x", "X"));
                public synchronized String lookup(String name) {
                    java.net.URI uri = java.net.URI.create(name.replace(' ', '_'));
                    if (uri.getScheme() != null && !allowed.contains(uri.getScheme().toLowerCase())) {
                        warn("not allowed " + uri.getScheme());
                        return null;
                    }
                    return context.get(name) + ":" + Thread.holdsLock(this);
                }
                void warn(String s) { }
            }
            """;
    static final String JNDI_V2 = """
            package sy;
            import java.util.List;
            public class Manager {
                private final List<String> allowed = List.of("ldap");
                private final java.util.Map<String, String> context = new java.util.HashMap<>(java.util.Map.of("java:x", "X"));
                public String lookup(String name) {
                    java.net.URI uri = java.net.URI.create(name.replace(' ', '_'));
                    if (uri.getScheme() == null || uri.getScheme().equals("java")) {
                        return context.get(name) + ":v2:" + Thread.holdsLock(this);
                    }
                    warn("unsupported " + name);
                    return null;
                }
                void warn(String s) { }
            }
            """;

    @Test
    void synchronizedRemovedIsAcceptedWithTheMonitorKeptWhenTheNewBodyWaitsForNothingNew(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("sy.Manager", JNDI_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("sy.Manager", JNDI_V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        String note = result.notes().stream().filter(n -> n.startsWith("sy/Manager lookup(Ljava/lang/String;)Ljava/lang/String;: "
                + "no longer synchronized in the new release, but calls still take the monitor of the receiver (the Manager "
                + "object)")).findFirst().orElseThrow(() -> new AssertionError(result.notes().toString()));
        assertTrue(note.endsWith("calls that may block, made by the running body under the same monitor too: java.util.Map.get("
                + "Object), java.lang.Thread.holdsLock(Object), sy.Manager.warn(String). A thread that calls it while holding a "
                + "lock those calls wait for deadlocks as with the running release"), note);
        Patch patch = result.patchOrThrow();
        assertEquals(List.of("sy.Manager.lookup(Ljava/lang/String;)Ljava/lang/String;: " + note.substring(note.indexOf(": ") + 2)),
                dev.atlas.patch.format.MonitorNotes.lines(patch), "inspect and apply print the same line");
        assertTrue(PatchDescription.render(patch).contains("Monitors kept (methods the new release no longer declares "
                + "synchronized):\n  sy.Manager.lookup("), PatchDescription.render(patch));

        ClassLoader loader = new InstrumentingLoader("sy-unlock", Fixtures.classes(v1), new ClassSelector(List.of("sy.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("sy.Manager");
        Object manager = c.getConstructor().newInstance();
        java.lang.reflect.Method lookup = c.getMethod("lookup", String.class);
        assertEquals(null, lookup.invoke(manager, "java:x"), "the old release refuses the java scheme");
        pipeline.apply(patch).migration().await(LONG);
        assertEquals("X:v2:true", lookup.invoke(manager, "java:x"),
                "the new body runs, and still holds the receiver's monitor: the note's 'calls still take the monitor'");
        pipeline.rollback().migration().await(LONG);
        assertEquals(null, lookup.invoke(manager, "java:x"));
    }

    @Test
    void synchronizedRemovedIsRefusedWhenTheNewBodyMayWaitForAThreadTheMonitorWouldKeepOut(@TempDir Path tmp) throws Exception {
        for (String[] body : new String[][] {
                {"try { new java.util.concurrent.CountDownLatch(0).await(); } catch (InterruptedException e) { }",
                        "java.util.concurrent.CountDownLatch.<init>(int), a call that "
                        + "may wait for another thread"},
                {"synchronized (allowed) { name = name.trim(); }", "the new body takes another monitor (a synchronized block)"},
                {"other();", "the new body calls sy.Manager.other(), which the running (synchronized) body did not call while "
                        + "holding the receiver (the Manager object)"}}) {
            String v2 = JNDI_V2.replace("java.net.URI uri =", body[0] + " java.net.URI uri =")
                    .replace("void warn(String s) { }", "void warn(String s) { } void other() { }");
            DiffHarness h = new DiffHarness(tmp.resolve("r" + body[0].length()), Map.of("sy.Manager", JNDI_V1), Map.of("sy.Manager", v2));
            assertTrue(h.result.isRefused(), body[0]);
            String why = h.result.refusals().toString();
            assertTrue(why.contains("lookup(Ljava/lang/String;)Ljava/lang/String;: method no longer synchronized: the running "
                    + "method takes the lock before its entry guard dispatches to any view's body"), why);
            assertTrue(why.contains(body[1]), why);
            assertTrue(why.contains("remedy: restart on the new release"), why);
        }
    }
}

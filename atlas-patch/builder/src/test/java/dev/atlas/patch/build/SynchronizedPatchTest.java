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

    @Test
    void synchronizedRemovedIsRefusedWithTheReason(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("sy.Account", V2));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("sy.Account", V2.replace("public synchronized boolean guarded",
                "public boolean guarded")));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertTrue(result.isRefused());
        assertEquals(1, result.refusals().size(), result.refusals()::toString);
        String why = result.refusals().getFirst().toString();
        assertTrue(why.contains("guarded()Z: method no longer synchronized: the running method takes the lock before its entry "
                + "guard"), why);
        assertTrue(why.contains("remedy: restart on the new release"), why);
    }
}

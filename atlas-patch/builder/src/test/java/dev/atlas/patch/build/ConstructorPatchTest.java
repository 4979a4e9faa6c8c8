package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
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
 * Changed constructors, built from two compiled versions and applied by the runtime: objects
 * created in the new view run the new constructor body after the unchanged super call (final
 * fields included, subclasses too), objects created before keep their state, and rollback
 * brings the old body back for new objects.
 */
class ConstructorPatchTest extends WithOwnPipeline {
    static final Duration LONG = LinkedPatchTest.LONG;

    static final String BASE = """
            package ct;
            public class Base {
                protected final String kind;
                protected Base(String kind) { this.kind = kind; }
            }
            """;
    static final String V1 = """
            package ct;
            import java.util.*;
            public class Account extends Base {
                private final String owner;
                private final int limit;
                private final List<String> log = new ArrayList<>();
                private int balance;
                public Account(String owner) {
                    super("plain");
                    this.owner = owner;
                    this.limit = 100;
                }
                public Account(String owner, int balance) {
                    this(owner);
                    this.balance = balance;
                }
                public String describe() { return kind + " " + owner + " " + limit + " " + balance + " " + log; }
            }
            """;
    static final String V2 = """
            package ct;
            import java.util.*;
            public class Account extends Base {
                private final String owner;
                private final int limit;
                private final List<String> log = new ArrayList<>();
                private int balance;
                private String note = "none";
                public Account(String owner) {
                    super("plain");
                    if (owner == null || owner.isBlank()) {
                        throw new IllegalArgumentException("owner");
                    }
                    this.owner = owner.trim();
                    this.limit = owner.length() * 10;
                    log.add("opened");
                }
                public Account(String owner, int balance) {
                    this(owner);
                    this.balance = Math.min(balance, limit);
                    this.note = "capped";
                }
                public String describe() { return kind + " " + owner + " " + limit + " " + balance + " " + log + " " + note; }
            }
            """;
    static final String SAVINGS = """
            package ct;
            public class Savings extends Account {
                public Savings(String owner) { super(owner, 1000); }
            }
            """;


    @Test
    void newObjectsRunTheNewConstructorOldObjectsKeepTheirState(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ct.Base", BASE, "ct.Account", V1, "ct.Savings", SAVINGS));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ct.Base", BASE, "ct.Account", V2, "ct.Savings", SAVINGS));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        ClassPatch cp = patch.classes().getFirst();
        assertEquals(List.of("<init>(Ljava/lang/String;)V replaced$$init", "<init>(Ljava/lang/String;I)V replaced$$init",
                        "describe()Ljava/lang/String; replaced$describe"),
                cp.methods().stream().map(m -> m.name() + m.descriptor() + " " + m.bodyMethodName()).sorted().toList());
        assertTrue(cp.methods().stream().allMatch(m -> m.kind() == MethodChange.Kind.REPLACED));
        assertTrue(DiffHarness.indys(cp.bodyClass()).contains("linkVirtual owner (Lct/Account;Ljava/lang/String;)V [ct/Account, ct/Account, 6]"),
                () -> DiffHarness.indys(cp.bodyClass()).toString());

        ClassLoader loader = new InstrumentingLoader("ct-ctor", Fixtures.classes(v1),
                new ClassSelector(List.of("ct.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> account = loader.loadClass("ct.Account");
        Class<?> savings = loader.loadClass("ct.Savings");
        Object before = account.getConstructor(String.class, int.class).newInstance(" ann", 500);
        assertEquals("plain  ann 100 500 []", LinkedPatchTest.call(account, before, "describe"));

        pipeline.apply(patch).migration().await(LONG);
        Object after = account.getConstructor(String.class, int.class).newInstance(" ann", 500);
        assertEquals("plain ann 40 40 [opened] capped", LinkedPatchTest.call(account, after, "describe"),
                "both changed constructors ran (this(..) delegation into the replaced one), final fields set");
        assertEquals("plain  ann 100 500 [] none", LinkedPatchTest.call(account, before, "describe"),
                "an object created before keeps its state; its new field has the initialiser's value");
        Object sub = savings.getConstructor(String.class).newInstance("bob");
        assertEquals("plain bob 30 30 [opened] capped", LinkedPatchTest.call(account, sub, "describe"), "a subclass's super(..) runs the new body");
        var refused = org.junit.jupiter.api.Assertions.assertThrows(java.lang.reflect.InvocationTargetException.class,
                () -> account.getConstructor(String.class).newInstance(" "));
        assertEquals("owner", refused.getCause().getMessage(), "the new constructor's check throws from the constructor");

        pipeline.rollback().migration().await(LONG);
        Object rolledBack = account.getConstructor(String.class, int.class).newInstance("cy", 7);
        assertEquals("plain cy 100 7 []", LinkedPatchTest.call(account, rolledBack, "describe"), "after rollback new objects run the old body");
    }

    @Test
    void changedSuperAndThisArgumentsRunInTheNewViewOnly(@TempDir Path tmp) throws Exception {
        String savings2 = SAVINGS.replace("super(owner, 1000)", "super(owner == null ? \"?\" : owner + \"!\", 1000 + owner.length())");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ct.Base", BASE, "ct.Account", V1, "ct.Savings", SAVINGS));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ct.Base", BASE, "ct.Account", V1.replace("super(\"plain\")",
                "super(\"fancy\")"), "ct.Savings", savings2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassPatch sp = result.patchOrThrow().classes().stream().filter(c -> c.className().equals("ct/Savings")).findFirst().orElseThrow();
        assertTrue(sp.methods().stream().anyMatch(m -> (m.name() + m.descriptor()).equals(
                "atlas$initArgs(Ljava/lang/Object;Ljava/lang/String;)[Ljava/lang/Object;")), sp.methods()::toString);

        ClassLoader loader = new InstrumentingLoader("ct-args", Fixtures.classes(v1),
                new ClassSelector(List.of("ct.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> account = loader.loadClass("ct.Account");
        Class<?> savings = loader.loadClass("ct.Savings");
        Object before = savings.getConstructor(String.class).newInstance("bob");
        assertEquals("plain bob 100 1000 []", LinkedPatchTest.call(account, before, "describe"));

        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        Object after = savings.getConstructor(String.class).newInstance("bob");
        assertEquals("fancy bob! 100 1003 []", LinkedPatchTest.call(account, after, "describe"),
                "the new arguments reach this(..) (a boxed int among them) and super(..) of the class above");
        assertEquals("fancy ann 100 0 []", LinkedPatchTest.call(account,
                account.getConstructor(String.class).newInstance("ann"), "describe"));
        assertEquals("plain bob 100 1000 []", LinkedPatchTest.call(account, before, "describe"), "objects created before keep their state");

        pipeline.rollback().migration().await(LONG);
        assertEquals("plain bob 100 1000 []", LinkedPatchTest.call(account, savings.getConstructor(String.class).newInstance("bob"),
                "describe"), "after rollback new objects get the old arguments");
    }

    @Test
    void aConstructorWhoseNewSuperCallNeedsALocalBeforeItIsRefusedWithTheRemedy(@TempDir Path tmp) throws Exception {
        String base = BASE.replace("protected Base(String kind) { this.kind = kind; }",
                "protected Base(String kind) { this.kind = kind; } protected Base(String kind, int n) { this.kind = kind + n; }");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ct.Base", base, "ct.Account", V1, "ct.Savings", SAVINGS));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ct.Base", base, "ct.Account", V1.replace("super(\"plain\")",
                "String k = owner == null ? \"none\" : \"plain\"; super(k, 2)"), "ct.Savings", SAVINGS));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertTrue(result.isRefused());
        assertTrue(result.refusals().toString().contains("ct/Account <init>(Ljava/lang/String;)V: constructor changed, including its "
                + "super(..)/this(..) call, which now goes to another constructor, and its code before that call does more "
                + "than compute the call's arguments"), result.refusals()::toString);
        assertTrue(result.refusals().toString().contains("remedy: restart on the new release"), result.refusals()::toString);
    }
}

package dev.atlas.patch.runtime;

import dev.atlas.core.ViewScope;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.patch.Fixtures;
import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.BuildResult;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.NewPackageDefiner;
import dev.atlas.patch.instrument.RetransformingMethodGuards;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.testing.InstrumentingLoader;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The child JVM of {@link JdkOverrideIT} (started with the test agent, so that the agent's
 * {@link RetransformingMethodGuards} can retransform {@code java.lang.Object} and
 * {@code java.util.Collection} in it): a patch adds {@code toString}, {@code equals} and
 * {@code removeIf} overrides to loaded classes; JDK code reaches them in the new view only; the
 * JDK methods' guards ask the views while a view that is not retired has the overrides, and
 * are inert before the first apply and after the rollback, once the patch's view retired. The
 * patch also adds an enum constant, which its transfer hook publishes through the definer's
 * lookup into {@code java.lang.Class} (this JVM does not open {@code java.lang}).
 * Prints one line per check and exits 1 at the first failed one.
 */
public final class JdkOverrideChild {
    static final String POINT_V1 = """
            package jo;
            public class Point {
                final int x, y;
                public Point(int x, int y) { this.x = x; this.y = y; }
            }
            """;
    static final String POINT_V2 = """
            package jo;
            public class Point {
                final int x, y;
                public Point(int x, int y) { this.x = x; this.y = y; }
                @Override public String toString() { return "Point(" + x + ", " + y + ") of " + super.toString(); }
                @Override public boolean equals(Object o) { return o instanceof Point p && p.x == x && p.y == y; }
            }
            """;
    static final String BAG_V1 = """
            package jo;
            import java.util.*;
            public class Bag extends AbstractCollection<String> {
                final List<String> items = new ArrayList<>();
                public Bag(String... s) { items.addAll(List.of(s)); }
                @Override public Iterator<String> iterator() { return items.iterator(); }
                @Override public int size() { return items.size(); }
            }
            """;
    static final String BAG_V2 = """
            package jo;
            import java.util.*;
            import java.util.function.Predicate;
            public class Bag extends AbstractCollection<String> {
                final List<String> items = new ArrayList<>();
                public Bag(String... s) { items.addAll(List.of(s)); }
                @Override public Iterator<String> iterator() { return items.iterator(); }
                @Override public int size() { return items.size(); }
                @Override public boolean removeIf(Predicate<? super String> filter) {
                    items.add("removeIf-v2");
                    return super.removeIf(filter) && false;   // the default method, not this one again
                }
            }
            """;

    static final String LEVEL_V1 = """
            package jo;
            public enum Level { LOW, HIGH }
            """;
    static final String LEVEL_V2 = """
            package jo;
            public enum Level { LOW, MEDIUM, HIGH }
            """;

    private static int checks;

    private JdkOverrideChild() {}

    public static void main(String[] args) {
        try {
            run(Path.of(args[0]));
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.println("FAIL " + t);
            System.exit(1);
        }
    }

    private static void run(Path tmp) throws Throwable {
        Instrumentation inst = JdkOverrideTestAgent.instrumentation();
        NewPackageDefiner definer = new NewPackageDefiner(inst);
        PatchPipeline pipeline = new PatchPipeline(new CodeViews(definer, new RetransformingMethodGuards(inst, definer)),
                JitPriorityWindow.off());
        CodeViews code = pipeline.views();
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("jo.Point", POINT_V1, "jo.Bag", BAG_V1, "jo.Level", LEVEL_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("jo.Point", POINT_V2, "jo.Bag", BAG_V2, "jo.Level", LEVEL_V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        check(!result.isRefused(), "the patch builds: " + result.refusals());
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("jo", Fixtures.classes(v1), new ClassSelector(List.of("jo.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> point = loader.loadClass("jo.Point");
        Object p1 = point.getConstructor(int.class, int.class).newInstance(1, 2);
        Object p2 = point.getConstructor(int.class, int.class).newInstance(1, 2);
        @SuppressWarnings("unchecked")
        Collection<String> bag = (Collection<String>) loader.loadClass("jo.Bag").getConstructor(String[].class)
                .newInstance((Object) new String[] {"a", "bb"});
        Object plain = new Object();
        @SuppressWarnings({"rawtypes", "unchecked"})
        Class<? extends Enum> level = (Class<? extends Enum>) Class.forName("jo.Level", true, loader);
        check(medium(level).equals("IllegalArgumentException"), "before the patch: jo.Level has no MEDIUM");
        String identity = "jo.Point@" + Integer.toHexString(System.identityHashCode(p1));

        check(!RetransformingMethodGuards.dispatching(Object.class, "equals", "(Ljava/lang/Object;)Z"),
                "before the patch: Object.equals has no guard");
        List<Object> before = observe(p1, p2, bag);
        check(before.equals(List.of(identity, false, false, true, List.of("bb"))), "before the patch: the JDK's methods " + before);

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Object> oldView = new ArrayList<>();
        Collection<String> oldBag = new ArrayList<>(List.of("a", "bb"));
        Thread old = Thread.ofPlatform().name("old-view").daemon().start(() -> {
            try (ViewScope s = code.space().enterRequest()) {
                entered.countDown();
                release.await();
                oldView.addAll(observe(p1, p2, oldBag));
                oldView.add(bag.removeIf(x -> x.equals("bb")));
            } catch (Throwable t) {
                oldView.add(t);
            }
        });
        entered.await();
        PatchApplication applied = pipeline.apply(patch);

        List<Object> after = observe(p1, p2, bag);
        check(after.equals(List.of("Point(1, 2) of " + identity, true, true, true, List.of("bb", "removeIf-v2"))),
                "new view: String.valueOf, List.equals, HashMap.equals reach the new toString/equals (its super.toString() "
                        + "the JDK's), Collection.removeIf the new override (its super.removeIf the default method) " + after);
        check(String.valueOf(plain).startsWith("java.lang.Object@") && !plain.equals(new Object()) && plain.equals(plain),
                "new view: other classes keep the JDK's toString/equals");
        check(Objects.equals("x", "x") && List.of(1).toString().equals("[1]"), "new view: classes with their own keep them");
        check(medium(level).equals("MEDIUM 2"), "new view: Enum.valueOf finds the added constant (published to the JDK's "
                + "cache through the definer's lookup into java.lang.Class; java.lang is not open to this JVM's class path) "
                + medium(level));

        release.countDown();
        old.join();
        check(oldView.equals(List.of(identity, false, false, true, List.of("bb"), true)),
                "old view (a request open across the patch): the JDK's methods " + oldView);
        applied.migration().await(Duration.ofMinutes(1));

        check(guardsDispatch(), "applied: the guards of Object.equals/toString and Collection.removeIf ask the views");

        // A request that stays in the patch's view across the rollback: the guards stay on for it
        // until it ends and the view retires, then go inert.
        CountDownLatch inPatchView = new CountDownLatch(1);
        CountDownLatch releasePatchView = new CountDownLatch(1);
        List<Object> patchView = new ArrayList<>();
        Thread stays = Thread.ofPlatform().name("patch-view").daemon().start(() -> {
            try (ViewScope s = code.space().enterRequest()) {
                inPatchView.countDown();
                releasePatchView.await();
                patchView.add(String.valueOf(p1));
                patchView.add(List.of(p1).equals(List.of(p2)));
            } catch (Throwable t) {
                patchView.add(t);
            }
        });
        inPatchView.await();
        CountDownLatch patchViewRetired = new CountDownLatch(1);
        long patchViewId = code.space().defaultView().id();
        code.space().addListener(new SpaceListener() {
            @Override
            public void viewRetired(ViewRetired event) {
                if (event.viewId() == patchViewId) {
                    patchViewRetired.countDown();
                }
            }
        });
        PatchApplication rolledBackApp = pipeline.rollback();
        check(String.valueOf(p1).equals(identity) && !p1.equals(p2), "rolled back, a request still in the patch's view: "
                + "this thread runs the JDK's methods");
        check(guardsDispatch(), "rolled back, a request still in the patch's view: the guards still ask the views");
        releasePatchView.countDown();
        stays.join();
        check(patchView.equals(List.of("Point(1, 2) of " + identity, true)),
                "the request in the patch's view ran the new toString/equals to its end " + patchView);
        rolledBackApp.migration().await(Duration.ofMinutes(1));
        check(patchViewRetired.await(1, TimeUnit.MINUTES), "the patch's view retired once its last request ended");
        check(!RetransformingMethodGuards.dispatching(Object.class, "equals", "(Ljava/lang/Object;)Z")
                        && !RetransformingMethodGuards.dispatching(Object.class, "toString", "()Ljava/lang/String;")
                        && !RetransformingMethodGuards.dispatching(Collection.class, "removeIf", "(Ljava/util/function/Predicate;)Z"),
                "rolled back and the patch's view retired: the guards are inert (the JDK methods' own bodies, nothing asked)");
        Collection<String> bag2 = new ArrayList<>(List.of("a", "bb"));
        List<Object> rolledBack = observe(p1, p2, bag2);
        check(rolledBack.equals(List.of(identity, false, false, true, List.of("bb"))), "rolled back: the JDK's methods " + rolledBack);
        check(bag.removeIf(x -> x.startsWith("removeIf")) && bag.isEmpty(),
                "rolled back: Collection.removeIf's default body on the patched class " + bag);

        pipeline.apply(patch).migration().await(Duration.ofMinutes(1));
        check(guardsDispatch(), "applied again: the guards ask the views again");
        check(String.valueOf(p1).equals("Point(1, 2) of " + identity) && List.of(p1).equals(List.of(p2)),
                "applied again: the new toString and equals " + p1);
        pipeline.close();
        System.out.println("OK " + checks + " checks");
    }

    /** toString, two equals from JDK code, an identity equals, and a removeIf, as JDK code calls them. */
    private static List<Object> observe(Object p1, Object p2, Collection<String> bag) {
        Map<String, Object> m1 = new HashMap<>(Map.of("k", p1));
        Map<String, Object> m2 = new HashMap<>(Map.of("k", p2));
        Predicate<String> one = x -> x.length() == 1;
        bag.removeIf(one);
        return List.of(String.valueOf(p1), List.of(p1).equals(List.of(p2)), m1.equals(m2), p1.equals(p1), List.copyOf(bag));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static String medium(Class<? extends Enum> level) {
        try {
            Enum<?> m = Enum.valueOf(level, "MEDIUM");
            return m.name() + " " + m.ordinal();
        } catch (IllegalArgumentException e) {
            return "IllegalArgumentException";
        }
    }

    private static boolean guardsDispatch() {
        return RetransformingMethodGuards.dispatching(Object.class, "equals", "(Ljava/lang/Object;)Z")
                && RetransformingMethodGuards.dispatching(Object.class, "toString", "()Ljava/lang/String;")
                && RetransformingMethodGuards.dispatching(Collection.class, "removeIf", "(Ljava/util/function/Predicate;)Z");
    }

    private static void check(boolean ok, String what) {
        checks++;
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            System.out.flush();
            System.exit(1);
        }
    }
}

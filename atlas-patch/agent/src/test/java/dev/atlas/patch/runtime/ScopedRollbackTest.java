package dev.atlas.patch.runtime;

import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Patches scoped to one class loader ({@link LoaderScope}), as an atlas-ulp host's programs
 * are patched: the same patch in two loaders, rolled back in one while the other keeps it
 * (a rollback of a patch that is not the newest), and a rollback refused because a newer
 * patch changed the same methods; a loader whose code will not run again (an ended program's)
 * released while a patch for every loader holds its copies' new bodies. Uses
 * {@link CodeViewsTest}'s class, loader and patches.
 */
class ScopedRollbackTest {
    private final CodeViewsTest fx = new CodeViewsTest();
    private PatchPipeline pipeline;
    private CodeViews code;
    private ClassLoader loader;
    private MethodHandle tagA;
    private String otherName;

    @BeforeEach
    void load() throws Exception {
        fx.load();
        pipeline = fx.pipeline;
        code = fx.code;
        loader = fx.loader;
        tagA = fx.tagA;
    }

    @AfterEach
    void close() {
        fx.closePipeline();
    }

    private MethodHandle tagAIn(ClassLoader l) throws Exception {
        Class<?> c = l.loadClass("app.Shop");
        return MethodHandles.publicLookup().findVirtual(c, "tagA", MethodType.methodType(String.class))
                .bindTo(c.getConstructor().newInstance());
    }

    private ClassLoader secondLoader() {
        CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of()));
        return new InstrumentingLoader("other-" + CodeViewsTest.PATCH_IDS.incrementAndGet(), fx.v1,
                new ClassSelector(List.of("app.**"), List.of()), ins);
    }

    @Test
    void theSamePatchInTwoLoadersIsRolledBackInOneWhileTheOtherKeepsIt() throws Throwable {
        ClassLoader other = secondLoader();
        MethodHandle otherTagA = tagAIn(other);
        LoaderScope mine = LoaderScope.named(loader.getName());
        LoaderScope theirs = LoaderScope.named(other.getName());
        Patch p = fx.shopPatch("2", fx.v1Fingerprint());

        PatchApplication a = pipeline.apply(p, mine);
        a.migration().await(CodeViewsTest.LONG);
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("1", (String) otherTagA.invokeExact());
        PatchRejectedException twice = assertThrows(PatchRejectedException.class, () -> pipeline.apply(p, mine));
        assertTrue(twice.getMessage().contains("already applied in class loader '" + loader.getName() + "'"),
                twice.getMessage());

        PatchApplication b = pipeline.apply(p, theirs);   // the other loader's copy is still at the old version
        b.migration().await(CodeViewsTest.LONG);
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("2", (String) otherTagA.invokeExact());
        assertEquals(List.of(p.id() + "@" + other.getName(), p.id() + "@" + loader.getName()),
                code.applied().stream().map(PatchApplication::appliedId).toList());

        PatchApplication back = pipeline.rollback(mine);   // not the newest: a new view without it
        back.migration().await(CodeViewsTest.LONG);
        assertNotSame(a.previous(), code.space().defaultView(), "the view before it ran neither patch");
        assertEquals("1", (String) tagA.invokeExact());
        assertEquals("2", (String) otherTagA.invokeExact());
        assertEquals(List.of(p.id() + "@" + other.getName()),
                code.applied().stream().map(PatchApplication::appliedId).toList());
        assertThrows(IllegalStateException.class, () -> pipeline.rollback(mine));

        pipeline.rollback(theirs).migration().await(CodeViewsTest.LONG);
        assertEquals("1", (String) tagA.invokeExact());
        assertEquals("1", (String) otherTagA.invokeExact());
        assertTrue(code.applied().isEmpty());

        pipeline.apply(p, mine).migration().await(CodeViewsTest.LONG);   // and again, on the same loader
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("1", (String) otherTagA.invokeExact());
    }

    @Test
    void aPatchUnderANewerPatchOfTheSameMethodsIsNotRolledBackAndNothingChanges() throws Throwable {
        LoaderScope mine = LoaderScope.named(loader.getName());
        Patch first = fx.shopPatch("2", fx.v1Fingerprint());
        pipeline.apply(first, mine).migration().await(CodeViewsTest.LONG);
        Patch onTop = fx.shopPatch("3", "%064x".formatted("2".hashCode()));   // built on the first's version, every loader
        pipeline.apply(onTop).migration().await(CodeViewsTest.LONG);
        assertEquals("3", (String) tagA.invokeExact());

        var before = code.space().defaultView();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.rollback(mine));
        assertTrue(e.getMessage().contains("while patch " + onTop.id()) && e.getMessage().contains("roll that one back first"),
                e.getMessage());
        assertEquals(before, code.space().defaultView());
        assertEquals("3", (String) tagA.invokeExact());

        pipeline.rollback().migration().await(CodeViewsTest.LONG);   // the newest, whatever its scope
        assertEquals("2", (String) tagA.invokeExact());
        pipeline.rollback(mine).migration().await(CodeViewsTest.LONG);
        assertEquals("1", (String) tagA.invokeExact());
    }

    /**
     * A patch applied to every loader gives each loader's copy of the class a new body, a
     * class defined in that loader: the view running the patch holds every loader it patched.
     * Released ({@link CodeViews#forgetLoader}, what the host asks for when a program ends), a
     * loader must no longer be held by that patch: the other loaders keep the patch, which still
     * rolls back as the newest.
     */
    @Test
    void aLoaderReleasedUnderAPatchForEveryLoaderIsCollectedWhileTheOthersKeepThePatch() throws Throwable {
        Patch p = fx.shopPatch("2", fx.v1Fingerprint());
        WeakReference<ClassLoader> other = patchEveryLoaderWithASecondOne(p);
        long patched = code.space().defaultView().id();
        CountDownLatch retired = new CountDownLatch(1);
        dev.atlas.core.observe.SpaceListener l = new dev.atlas.core.observe.SpaceListener() {
            @Override
            public void viewRetired(dev.atlas.core.observe.SpaceListener.ViewRetired event) {
                if (event.viewId() == patched) {
                    retired.countDown();
                }
            }
        };
        code.space().addListener(l);
        try {
            code.forgetLoader(LoaderScope.named(otherName));
            assertTrue(retired.await(CodeViewsTest.LONG.toSeconds(), TimeUnit.SECONDS),
                    "the view whose table held the released loader's bodies did not retire");
        } finally {
            code.space().removeListener(l);
        }
        code.installInlineCaches();
        for (int i = 0; i < 50 && other.get() != null; i++) {
            System.gc();
        }
        assertNull(other.get(), "the released loader is still reachable");
        assertEquals("2", (String) tagA.invokeExact(), "the loader left keeps the patch");
        assertEquals(List.of(p.id()), code.applied().stream().map(PatchApplication::appliedId).toList());

        pipeline.rollback().migration().await(CodeViewsTest.LONG);
        assertEquals("1", (String) tagA.invokeExact());
        assertTrue(code.applied().isEmpty());
    }

    /** Loads the class in a second loader, applies {@code p} to every loader; returns the second loader, weakly. */
    private WeakReference<ClassLoader> patchEveryLoaderWithASecondOne(Patch p) throws Throwable {
        ClassLoader other = secondLoader();
        otherName = other.getName();
        MethodHandle otherTagA = tagAIn(other);
        pipeline.apply(p).migration().await(CodeViewsTest.LONG);
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("2", (String) otherTagA.invokeExact());
        return new WeakReference<>(other);
    }
}

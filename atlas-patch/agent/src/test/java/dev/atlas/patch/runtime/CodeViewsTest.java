package dev.atlas.patch.runtime;

import dev.atlas.testsupport.Await;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.View;
import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.testsupport.SourceCompiler;
import dev.atlas.patch.testing.InstrumentingLoader;
import dev.atlas.patch.variant.CodeVariant;
import dev.atlas.patch.variant.RestrictedMethodException;
import dev.atlas.patch.variant.TraceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Applying and rolling back patches in this JVM: classes instrumented in an isolated loader
 * (as the agent would), patches built by hand per the contract (body classes compiled by
 * javac), requests through a request-boundary method.
 */
class CodeViewsTest {
    static final Duration LONG = Duration.ofSeconds(30);
    static final AtomicInteger PATCH_IDS = new AtomicInteger();

    static final String SHOP = """
            package app;
            public class Shop {
                private int base = 10;
                public String tagA() { return "1"; }
                public String tagB() { return "1"; }
                public static String tagC() { return "1"; }
                public int price(int qty, long extra, double factor) { return (int) ((base * qty + extra) * factor); }
                public int base() { return base; }
            }
            """;
    static final String HANDLER = """
            package app;
            public class Handler {
                public String handle(Shop s, Runnable mid) {
                    String a = s.tagA();
                    mid.run();
                    return a + s.tagB() + Shop.tagC();
                }
                public String explode(Shop s) {
                    throw new IllegalStateException("boom " + s.tagA());
                }
            }
            """;

    /** This test's own code views and pipeline (JIT window off: a unit test leaves the JVM's JIT alone). */
    final dev.atlas.patch.runtime.PatchPipeline pipeline =
            new dev.atlas.patch.runtime.PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final CodeViews code = pipeline.views();
    Map<String, byte[]> v1;
    ClassLoader loader;
    Object shop;
    Object handler;
    MethodHandle tagA;
    MethodHandle tagC;
    MethodHandle price;
    MethodHandle handle;

    @BeforeEach
    void load() throws Exception {
        v1 = SourceCompiler.compile(Map.of("app.Shop", SHOP, "app.Handler", HANDLER));
        CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of("app.Handler#handle",
                "app.Handler#explode")));
        loader = new InstrumentingLoader("app-" + PATCH_IDS.incrementAndGet(), v1, new ClassSelector(List.of("app.**"), List.of()), ins);
        Class<?> shopClass = loader.loadClass("app.Shop");
        Class<?> handlerClass = loader.loadClass("app.Handler");
        shop = shopClass.getConstructor().newInstance();
        handler = handlerClass.getConstructor().newInstance();
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        tagA = l.findVirtual(shopClass, "tagA", MethodType.methodType(String.class)).bindTo(shop);
        tagC = l.findStatic(shopClass, "tagC", MethodType.methodType(String.class));
        price = l.findVirtual(shopClass, "price", MethodType.methodType(int.class, int.class, long.class, double.class)).bindTo(shop);
        handle = l.findVirtual(handlerClass, "handle", MethodType.methodType(String.class, shopClass, Runnable.class))
                .bindTo(handler).bindTo(shop);
    }

    @AfterEach
    void closePipeline() {
        pipeline.close();
    }

    /** A patch of app.Shop replacing tagA, tagB (instance) and tagC (static) to return {@code tag}. */
    Patch shopPatch(String tag, String expectedFingerprint) {
        return shopPatch(tag, expectedFingerprint, "return (\"\" + self.base()).isEmpty() ? \"?\" : \"%s\";".formatted(tag));
    }

    /** As {@link #shopPatch(String, String)}, with {@code tagB}'s body (in which {@code self} is the Shop). */
    Patch shopPatch(String tag, String expectedFingerprint, String tagBBody) {
        String id = String.format("%016x", PATCH_IDS.incrementAndGet() * 0x1234567L);
        String body = "app.Shop$$AtlasPatch$" + id.substring(0, 8);
        String src = """
                package app;
                public class %s {
                    public static String replaced$tagA(Shop self) { return "%s"; }
                    public static String replaced$tagB(Shop self) {   // by default a concatenation: a prelinked call site
                        %s
                    }
                    public static String replaced$tagC() { return "%s"; }
                    public static int replaced$price(Shop self, int qty, long extra, double factor) { return -1; }
                }
                """.formatted(body.substring(4), tag, tagBBody, tag);
        byte[] bytes = SourceCompiler.compile(Map.of(body, src), Map.of("app/Shop", v1.get("app/Shop")))
                .get(body.replace('.', '/'));
        List<MethodChange> methods = List.of(
                new MethodChange(MethodChange.Kind.REPLACED, "tagA", "()Ljava/lang/String;", false, "replaced$tagA"),
                new MethodChange(MethodChange.Kind.REPLACED, "tagB", "()Ljava/lang/String;", false, "replaced$tagB"),
                new MethodChange(MethodChange.Kind.REPLACED, "tagC", "()Ljava/lang/String;", true, "replaced$tagC"),
                new MethodChange(MethodChange.Kind.REPLACED, "price", "(IJD)I", false, "replaced$price"));
        ClassPatch cp = new ClassPatch("app/Shop", expectedFingerprint, "%064x".formatted(tag.hashCode()), methods, List.of(), bytes, null);
        return new Patch(1, id, "tags to " + tag, List.of(cp), List.of());
    }

    String v1Fingerprint() {
        return ClassFingerprint.of(v1.get("app/Shop"));
    }

    String callHandle(Runnable mid) {
        try {
            return (String) handle.invokeExact(mid);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Test
    void anInstrumentedClassBehavesAsBeforeUntilPatched() throws Throwable {
        assertEquals("1", (String) tagA.invokeExact());
        assertEquals("1", (String) tagC.invokeExact());
        assertEquals((int) ((10 * 3 + 7L) * 1.5), (int) price.invokeExact(3, 7L, 1.5));
        assertEquals("111", callHandle(() -> {}));
    }

    @Test
    void applyReplacesBodiesForEveryThreadAndRollbackRestoresThem() throws Throwable {
        View before = code.space().defaultView();
        PatchApplication a = pipeline.apply(shopPatch("2", v1Fingerprint()));
        MigrationReport r = a.migration().await(LONG);
        assertEquals(r.threads().size(), r.count(ThreadMigrationState.MIGRATED) + r.count(ThreadMigrationState.EXITED));
        assertEquals(4, a.replacedMethods());
        PreparationCost cost = a.preparation();
        assertTrue(cost.elapsed().toNanos() > 0, cost::describe);
        assertTrue(cost.cpu() == null || (cost.cpu().toNanos() > 0 && cost.describe().contains(" CPU")), cost::describe);
        assertTrue(cost.jit() == null || !cost.jit().isNegative(), cost::describe);
        assertSame(a.target(), code.space().defaultView());
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("2", (String) tagC.invokeExact());
        assertEquals(-1, (int) price.invokeExact(3, 7L, 1.5));
        assertEquals("222", callHandle(() -> {}));
        Thread fresh = Thread.ofPlatform().start(() -> assertEquals("222", callHandle(() -> {})));
        fresh.join();

        PatchApplication back = pipeline.rollback();
        back.migration().await(LONG);
        assertTrue(back.rollback());
        assertEquals(null, back.preparation(), "a rollback prepares nothing");
        assertEquals(0L, back.prepareNanos());
        assertSame(before, code.space().defaultView());
        assertEquals("1", (String) tagA.invokeExact());
        assertEquals("111", callHandle(() -> {}));
    }

    /**
     * The invoke site's inline cache for a new body is installed after the migration (that it
     * is not built at the patch instant is MethodSlotTest's); calls give the new result before
     * and after.
     */
    @Test
    void theInlineCacheForTheNewBodyIsInstalledAfterTheMigrationAndChangesNoResult() throws Throwable {
        MethodSlot slot = code.registry().find(loader, "app/Shop", "tagA", "()Ljava/lang/String;");
        assertNotNull(slot, "tagA is patchable");
        PatchApplication a = pipeline.apply(shopPatch("2", v1Fingerprint()));
        MethodHandle body = a.target().get(CodeViews.CODE).handle(slot.id());
        assertNotNull(body, "the patch's view has a body for tagA");
        assertEquals("2", (String) tagA.invokeExact());
        a.migration().await(LONG);
        Await.until("the inline cache for the new body installed after the migration", LONG,
                () -> slot.inlineCacheHolds(body));
        assertEquals("2", (String) tagA.invokeExact());
        assertEquals("222", callHandle(() -> {}));
        code.installInlineCaches();   // what other tests' delayed installations may still have pending
        assertEquals(0, code.installInlineCaches(), "idempotent: nothing left to install");
    }

    @Test
    void aRequestInFlightFinishesInTheOldCodeAndTheNextOneRunsTheNew() throws Exception {
        CountDownLatch inRequest = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<String> first = new AtomicReference<>();
        AtomicReference<String> second = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().name("worker").start(() -> {
            first.set(callHandle(() -> {
                inRequest.countDown();
                await(finish);
            }));
            second.set(callHandle(() -> {}));
        });
        inRequest.await();
        PatchApplication a = pipeline.apply(shopPatch("2", v1Fingerprint()));
        assertFalse(a.migration().isDone(), "a thread inside a request must not be moved");
        assertTrue(a.migration().stragglers().stream().anyMatch(s -> s.toString().contains("worker")),
                a.migration().stragglers().toString());
        finish.countDown();
        worker.join();
        a.migration().await(LONG);
        assertEquals("111", first.get(), "the request in flight mixed old and new code");
        assertEquals("222", second.get());
    }

    @Test
    void underLoadEveryRequestIsAllOldOrAllNew() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(Thread.ofPlatform().name("load-" + i).start(() -> {
                while (!stop.get()) {
                    seen.computeIfAbsent(callHandle(Thread::onSpinWait), k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        for (int round = 0; round < 5; round++) {
            pipeline.apply(shopPatch("2", v1Fingerprint())).migration().await(LONG);
            pipeline.rollback().migration().await(LONG);
        }
        stop.set(true);
        for (Thread t : workers) t.join();
        assertTrue(seen.keySet().stream().allMatch(k -> k.equals("111") || k.equals("222")), "mixed: " + seen);
        assertTrue(seen.containsKey("111"), seen.toString());
    }

    @Test
    void aPatchForAnotherVersionIsRefusedAndNothingChanges() throws Throwable {
        View before = code.space().defaultView();
        PatchRejectedException e = assertThrows(PatchRejectedException.class,
                () -> pipeline.apply(shopPatch("2", "0".repeat(64))));
        assertTrue(e.getMessage().contains("app.Shop") && e.getMessage().contains("0".repeat(64))
                && e.getMessage().contains(v1Fingerprint()), e.getMessage());
        assertSame(before, code.space().defaultView());
        assertTrue(code.applied().isEmpty());
        assertEquals("1", (String) tagA.invokeExact());
    }

    @Test
    void newCodeThatDoesNotLoadIsRefusedAndNothingChanges() throws Throwable {
        Patch good = shopPatch("2", v1Fingerprint());
        ClassPatch cp = good.classes().get(0);
        ClassPatch broken = new ClassPatch(cp.className(), cp.expectedFingerprint(), cp.newFingerprint(), cp.methods(),
                cp.addedFields(), new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2}, null);
        View before = code.space().defaultView();
        PatchRejectedException e = assertThrows(PatchRejectedException.class,
                () -> pipeline.apply(new Patch(1, good.id(), "broken", List.of(broken), List.of())));
        assertTrue(e.getMessage().contains("does not load"), e.getMessage());
        assertSame(before, code.space().defaultView());
        assertEquals("1", (String) tagA.invokeExact());
    }

    @Test
    void newCodeWhoseCallSiteDoesNotLinkIsRefusedBeforeAnythingChanges() throws Throwable {
        // replaced$tagA reads a shadow field that the patch never defines: its call site cannot link
        Patch good = shopPatch("2", v1Fingerprint());
        ClassPatch cp = good.classes().get(0);
        java.lang.constant.ClassDesc shop = java.lang.constant.ClassDesc.of("app.Shop");
        String bodyName = java.lang.classfile.ClassFile.of().parse(cp.bodyClass()).thisClass().asInternalName();
        var linker = java.lang.constant.ClassDesc.of("dev.atlas.patch.runtime.PatchLinker");
        var bsm = java.lang.constant.MethodHandleDesc.ofMethod(java.lang.constant.DirectMethodHandleDesc.Kind.STATIC, linker,
                "linkField", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_CallSite,
                        java.lang.constant.ConstantDescs.CD_MethodHandles_Lookup, java.lang.constant.ConstantDescs.CD_String,
                        java.lang.constant.ConstantDescs.CD_MethodType, java.lang.constant.ConstantDescs.CD_String,
                        java.lang.constant.ConstantDescs.CD_String, java.lang.constant.ConstantDescs.CD_String,
                        java.lang.constant.ConstantDescs.CD_int));
        var type = java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_String, shop);
        byte[] broken = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.ofInternalName(bodyName), cb -> cb
                .withFlags(java.lang.reflect.AccessFlag.PUBLIC, java.lang.reflect.AccessFlag.SUPER)
                .withMethod("replaced$tagA", type, java.lang.classfile.ClassFile.ACC_PUBLIC | java.lang.classfile.ClassFile.ACC_STATIC,
                        mb -> mb.withCode(c -> c.aload(0).invokedynamic(java.lang.constant.DynamicCallSiteDesc.of(bsm, "get", type,
                                "app/Shop", "nope", "Ljava/lang/String;", 0)).areturn())));
        ClassPatch bad = new ClassPatch(cp.className(), cp.expectedFingerprint(), cp.newFingerprint(),
                List.of(cp.methods().get(0)), List.of(), broken, null);
        View before = code.space().defaultView();
        PatchRejectedException e = assertThrows(PatchRejectedException.class,
                () -> pipeline.apply(new Patch(1, good.id(), "unlinkable", List.of(bad), List.of())));
        assertTrue(e.getMessage().contains("does not link") && e.getMessage().contains("nope"), e.getMessage());
        assertSame(before, code.space().defaultView(), "nothing changed");
        assertEquals("1", (String) tagA.invokeExact());
    }

    /** {@code shopPatch}'s class with {@code methods} and {@code fields} instead, and {@code added} classes. */
    Patch shopPatchWith(List<MethodChange> methods, List<dev.atlas.patch.format.FieldAddition> fields,
                        List<dev.atlas.patch.format.AddedClass> added) {
        Patch p = shopPatch("2", v1Fingerprint());
        ClassPatch cp = p.classes().get(0);
        ClassPatch changed = new ClassPatch(cp.className(), cp.expectedFingerprint(), cp.newFingerprint(), methods,
                fields, cp.bodyClass(), null);
        return new Patch(1, p.id(), "changed", List.of(changed), added);
    }

    /** Refused, and nothing changed: the default view, the applied patches and the code threads run. */
    void assertRefusedChangingNothing(Patch p, String... expectedInMessage) throws Throwable {
        View before = code.space().defaultView();
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(p));
        for (String x : expectedInMessage) {
            assertTrue(e.getMessage().contains(x), () -> "'" + x + "' not in: " + e.getMessage());
        }
        assertSame(before, code.space().defaultView());
        assertTrue(code.applied().isEmpty());
        assertEquals("1", (String) tagA.invokeExact());
    }

    @Test
    void anAddedMethodNamingAClassTheLoaderDoesNotHaveIsRefusedAndLeavesNoSlot() throws Throwable {
        MethodChange gone = new MethodChange(MethodChange.Kind.ADDED, "gone", "(Lapp/Missing;)Ljava/lang/String;",
                false, "added$gone");
        assertRefusedChangingNothing(shopPatchWith(List.of(gone), List.of(), List.of()), "app.Missing", "gone");
        assertNull(code.registry().find(loader, "app/Shop", "gone", gone.descriptor()),
                "a refused patch registered its added method");
    }

    @Test
    void aNewFieldOfATypeTheLoaderDoesNotHaveIsRefused() throws Throwable {
        var field = new dev.atlas.patch.format.FieldAddition("extra", "Lapp/Missing;", false, "init$extra");
        assertRefusedChangingNothing(shopPatchWith(List.of(), List.of(field), List.of()), "app.Missing", "extra");
    }

    @Test
    void aStaticFlagThatContradictsTheLoadedClassIsRefused() throws Throwable {
        // tagA is an instance method; the manifest calls it static (the body class has the instance signature)
        MethodChange lie = new MethodChange(MethodChange.Kind.REPLACED, "tagA", "()Ljava/lang/String;", true,
                "replaced$tagA");
        assertRefusedChangingNothing(shopPatchWith(List.of(lie), List.of(), List.of()), "app.Shop#tagA",
                "is a static method", "it is an instance method");
        MethodChange lie2 = new MethodChange(MethodChange.Kind.REPLACED, "tagC", "()Ljava/lang/String;", false,
                "replaced$tagC");
        assertRefusedChangingNothing(shopPatchWith(List.of(lie2), List.of(), List.of()), "app.Shop#tagC",
                "is an instance method", "it is a static method");
    }

    @Test
    void anAddedClassWithDamagedBytesIsRefused() throws Throwable {
        byte[] damaged = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 69, 0, 9, 7, 0, 42};
        var added = new dev.atlas.patch.format.AddedClass("app/Extra", "app/Shop", damaged);
        assertRefusedChangingNothing(shopPatchWith(shopPatch("2", v1Fingerprint()).classes().get(0).methods(), List.of(),
                List.of(added)), "app.Extra", "does not load");
    }

    /**
     * A body class is an ordinary class of the patched class's loader (so that its frames show
     * in stack traces), which cannot unload while that loader lives: applying the same patch
     * again reuses it, and its code runs again.
     */
    @Test
    void reapplyingAPatchReusesItsBodyClass() throws Throwable {
        MethodSlot slot = code.registry().find(loader, "app/Shop", "tagB", "()Ljava/lang/String;");
        Patch p = shopPatch("2", v1Fingerprint());
        PatchApplication a = pipeline.apply(p);
        a.migration().await(LONG);
        Class<?> first = MethodHandles.reflectAs(java.lang.reflect.Method.class,
                a.target().get(CodeViews.CODE).handle(slot.id())).getDeclaringClass();
        assertFalse(first.isHidden(), first::toString);
        assertEquals(loader, first.getClassLoader());
        pipeline.rollback().migration().await(LONG);
        assertEquals("111", callHandle(() -> {}));
        PatchApplication again = pipeline.apply(p);
        again.migration().await(LONG);
        assertSame(first, MethodHandles.reflectAs(java.lang.reflect.Method.class,
                again.target().get(CodeViews.CODE).handle(slot.id())).getDeclaringClass());
        assertEquals("222", callHandle(() -> {}));
    }

    /**
     * A rolled-back patch's hidden body class (with its prelinked call sites) unloads once its
     * view retired: nothing of Atlas holds it. (A body is hidden when it needs a nestmate's access
     * or when an ordinary body class of other content has its name, as here.)
     */
    @Test
    void aRolledBackPatchsClassesUnloadOnceItsViewRetires() throws Throwable {
        MethodSlot slot = code.registry().find(loader, "app/Shop", "tagB", "()Ljava/lang/String;");
        pipeline.apply(shopPatch("3", v1Fingerprint())).migration().await(LONG);   // takes the body's name
        pipeline.rollback().migration().await(LONG);
        PatchApplication a = pipeline.apply(shopPatch("2", v1Fingerprint()));
        a.migration().await(LONG);
        assertEquals("222", callHandle(() -> {}), "the body's concatenation ran");
        MethodHandle body = a.target().get(CodeViews.CODE).handle(slot.id());
        java.lang.ref.WeakReference<Class<?>> bodyClass = new java.lang.ref.WeakReference<>(
                MethodHandles.reflectAs(java.lang.reflect.Method.class, body).getDeclaringClass());
        assertTrue(bodyClass.get().isHidden(), bodyClass.get()::toString);
        body = null;
        a = null;
        assertUnloadsAfterRollback(bodyClass);
    }

    /**
     * A body class whose code holds lambdas and method references (capturing, not capturing,
     * a bound receiver, a boxed result, a generic interface the compiler bridges) unloads as
     * well once its view retired, while the application's class loader lives on.
     */
    @Test
    void aRolledBackPatchWithLambdasUnloadsOnceItsViewRetires() throws Throwable {
        String tagB = """
                java.util.function.Supplier<String> constant = () -> "2";
                java.util.function.Function<String, String> twice = s -> s + constant.get() + self.base() * 0;
                java.util.function.IntFunction<Integer> boxed = Integer::valueOf;
                java.util.function.Supplier<String> bound = "2"::toString;
                java.util.Comparator<String> longestFirst = java.util.Comparator.comparingInt(String::length);
                java.util.List<String> l = new java.util.ArrayList<>(java.util.List.of("x", "22"));
                l.sort(longestFirst.reversed());
                java.util.function.Consumer<String> add = l::add;
                add.accept("y");
                return twice.apply("") + boxed.apply(7) + bound.get() + l;
                """;
        MethodSlot slot = code.registry().find(loader, "app/Shop", "tagB", "()Ljava/lang/String;");
        pipeline.apply(shopPatch("3", v1Fingerprint())).migration().await(LONG);   // takes the body's name: a hidden body
        pipeline.rollback().migration().await(LONG);
        PatchApplication a = pipeline.apply(shopPatch("2", v1Fingerprint(), tagB));
        a.migration().await(LONG);
        assertEquals("2" + "20" + "7" + "2" + "[22, x, y]" + "2", callHandle(() -> {}), "the body's lambdas ran");
        MethodHandle body = a.target().get(CodeViews.CODE).handle(slot.id());
        java.lang.ref.WeakReference<Class<?>> bodyClass = new java.lang.ref.WeakReference<>(
                MethodHandles.reflectAs(java.lang.reflect.Method.class, body).getDeclaringClass());
        assertTrue(bodyClass.get().isHidden(), bodyClass.get()::toString);
        body = null;
        a = null;
        assertUnloadsAfterRollback(bodyClass);
    }

    private void assertUnloadsAfterRollback(java.lang.ref.WeakReference<Class<?>> bodyClass) throws Exception {
        long patchedId = code.space().defaultView().id();
        CountDownLatch retired = new CountDownLatch(1);
        dev.atlas.core.observe.SpaceListener l = new dev.atlas.core.observe.SpaceListener() {
            @Override
            public void viewRetired(dev.atlas.core.observe.SpaceListener.ViewRetired event) {
                if (event.viewId() == patchedId) {
                    retired.countDown();
                }
            }
        };
        code.space().addListener(l);
        try {
            pipeline.rollback().migration().await(LONG);
            assertTrue(retired.await(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "view not retired");
        } finally {
            code.space().removeListener(l);
        }
        code.installInlineCaches();   // what the delayed installation would do a second after the rollback
        for (int i = 0; i < 50 && bodyClass.get() != null; i++) {
            System.gc();
        }
        assertNull(bodyClass.get(), "the rolled-back patch's body class is still reachable");
        assertEquals("111", callHandle(() -> {}));
    }

    @Test
    void aPatchForAClassThatIsNotPatchableIsRefused() {
        Patch p = shopPatch("2", v1Fingerprint());
        ClassPatch cp = p.classes().get(0);
        ClassPatch other = new ClassPatch("app/Nowhere", cp.expectedFingerprint(), cp.newFingerprint(), cp.methods(), List.of(), cp.bodyClass(), null);
        PatchRejectedException e = assertThrows(PatchRejectedException.class,
                () -> pipeline.apply(new Patch(1, p.id(), "", List.of(other), List.of())));
        assertTrue(e.getMessage().contains("app.Nowhere"), e.getMessage());
    }

    @Test
    void aBoundaryMethodThatThrowsClosesItsRequestScope() throws Exception {
        MethodHandle explode = MethodHandles.publicLookup().findVirtual(handler.getClass(), "explode",
                MethodType.methodType(String.class, shop.getClass())).bindTo(handler).bindTo(shop);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            String s = (String) explode.invokeExact();
            fail(s);
        });
        assertEquals("boom 1", e.getMessage());
        // a scope left open would make this throw (no switching inside a scope)
        View v = code.space().defaultView();
        assertDoesNotThrow(() -> code.space().switchCurrentThread(v));
    }

    @Test
    void aTracingVariantRecordsCallsOfItsThreadsOnlyAndRunsTheCodeItWraps() throws Exception {
        pipeline.apply(shopPatch("2", v1Fingerprint())).migration().await(LONG);   // the variant wraps patched code
        CodeVariant v = CodeVariant.named(code, "trace").trace("app.Shop#tagA").trace("app.Shop#price").publish();
        AtomicReference<String> traced = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("traced-thread").unstarted(() -> {
            code.space().switchCurrentThread(v.view());
            traced.set(callHandle(() -> {}));
        });
        t.start();
        t.join();
        assertEquals("222", traced.get(), "the traced thread runs the code the variant wraps");
        assertEquals("222", callHandle(() -> {}), "other threads are unaffected");
        List<TraceRecord> recs = v.traces();
        assertEquals(1, recs.size(), recs.toString());
        assertEquals("traced-thread", recs.get(0).thread());
        assertEquals("app.Shop#tagA()Ljava/lang/String;", recs.get(0).method());
        assertEquals("returned 2", recs.get(0).outcome());
    }

    @Test
    void aTracingVariantOfUnpatchedCodeRunsTheOriginalBodyOnce() throws Exception {
        CodeVariant v = CodeVariant.named(code, "trace-original").trace("app.Shop#price").publish();
        AtomicReference<Integer> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            code.space().switchCurrentThread(v.view());
            try {
                result.set((int) price.invokeExact(3, 7L, 1.5));
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        t.join();
        assertEquals((int) ((10 * 3 + 7L) * 1.5), result.get());
        assertEquals(List.of("3", "7", "1.5"), v.traces().get(0).arguments());
        assertEquals(1, v.traces().size());
    }

    @Test
    void aRestrictedVariantMakesChosenMethodsThrowForItsThreadsOnly() throws Exception {
        CodeVariant v = CodeVariant.named(code, "restricted").restrict("app.Shop#tagC").publish();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            code.space().switchCurrentThread(v.view());
            try {
                callHandle(() -> {});
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.join();
        Throwable cause = thrown.get() instanceof AssertionError a ? a.getCause() : thrown.get();
        assertInstanceOf(RestrictedMethodException.class, cause);
        assertTrue(cause.getMessage().contains("app.Shop#tagC"), cause.getMessage());
        assertEquals("111", callHandle(() -> {}), "other threads are unaffected");
        assertThrows(IllegalArgumentException.class, () -> CodeVariant.named(code, "x").restrict("app.Shop#nothing").publish());
    }

    @Test
    void rollingBackWithNothingAppliedIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, pipeline::rollback);
        assertTrue(e.getMessage().contains("no patch is applied"), e.getMessage());
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

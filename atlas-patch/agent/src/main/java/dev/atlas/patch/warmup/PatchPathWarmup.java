package dev.atlas.patch.warmup;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.classfile.IndyRedirect;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.runtime.PreparationCost;

import java.lang.System.Logger.Level;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs the whole patch path once, on a synthetic class, when the agent starts: read a
 * patch file, prepare it, publish its view, migrate, dispatch through an entry guard and a
 * request scope, roll back.
 *
 * <p>Why: the first real patch would otherwise run all of this cold, in the serving JVM, at
 * the worst moment. Cold code costs CPU, and — measured in the patch demo — it also sends
 * the JDK methods it shares with the application (ThreadLocal, ConcurrentHashMap, streams,
 * I/O) through never-seen branches, whose compiled code the JIT then throws away
 * ("unstable_if" deoptimisations) while the application is serving: a latency spike at the
 * patch instant. Warming the path at start-up, before the application's hot code is
 * compiled, lets the JIT compile those methods with the patch path's branches in their
 * profiles. At late attach it moves that cost to the attach instead of the patch.
 *
 * <p>Its synthetic patch uses what real patches use (an added field, string concatenation,
 * a lambda), so that constant-pool redirection, call-site linking and shadow fields also
 * run here first; it also sets up the platform MBeans {@link PreparationCost} reads and
 * compiles SHA-256. A patch applied while the warm-up runs waits for it
 * ({@link PatchPipeline#startWarmup}).
 *
 * <p>Effects visible to the application: three short-lived views of the code space (in
 * {@code atlas status} while they live), that only the warm-up's own threads ever enter.
 * The application's threads, the default view and the applied patches are not touched. It
 * runs when the agent starts with {@code -javaagent} or {@code atlas attach}, not when
 * {@code atlas patch apply} has to install the agent itself. Failures are logged at DEBUG
 * and never propagate.
 *
 * <p>Threading: runs on one daemon thread, started once.
 */
public final class PatchPathWarmup {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");
    private static final String TARGET = "dev/atlas/patch/warmup/Target";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private PatchPathWarmup() {}

    /**
     * Starts the warm-up of {@code pipeline}'s path on its warm-up thread
     * ({@link PatchPipeline#startWarmup}: a patch applied meanwhile waits for it); returns at once.
     */
    public static Thread start(PatchPipeline pipeline) {
        return pipeline.startWarmup(new Runnable() {
            @Override
            public void run() {
                runQuietly(pipeline);
            }
        });
    }

    private static void runQuietly(PatchPipeline pipeline) {
        long t0 = System.nanoTime();
        try {
            run(pipeline);
            LOG.log(Level.DEBUG, () -> "patch path warmed up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (Throwable e) {
            LOG.log(Level.DEBUG, () -> "patch path warm-up failed (harmless): " + e);
        }
    }

    /**
     * The warm-up itself (also called by tests). It prepares a patch of a synthetic class and
     * moves only its own threads into that view and back: the application's threads, the
     * default view and the stack of applied patches are never touched, so it needs no lock
     * and never waits for an application thread.
     */
    static void run(PatchPipeline pipeline) throws Throwable {
        // the management beans PreparationCost reads: their first use sets up the platform's
        // MBean providers (service loading, reflection, streams), measured at the patch
        // instant as C2 throwing away and recompiling the application's stream code
        PreparationCost.start().stop();
        // SHA-256, which checks a patch's id: a patch of a few classes pushed its compression
        // loop over C2's threshold at the patch instant (~45 ms of C2); a straight-line loop,
        // so compiling it now on a larger input cannot be invalidated by the real patch later
        java.security.MessageDigest.getInstance("SHA-256").digest(new byte[1 << 20]);
        CodeViews code = pipeline.views();
        byte[] original = targetClass();
        Loader loader = new Loader();
        byte[] instrumented = new CodeInstrumenter(code.registry(),
                new BoundaryMatcher(List.of(TARGET.replace('/', '.') + "#handle"))).instrument(loader, original);
        Class<?> target = loader.define(TARGET, instrumented);
        Object instance = target.getConstructor().newInstance();
        MethodHandle handle = MethodHandles.publicLookup().findVirtual(target, "handle",
                MethodType.methodType(int.class, int.class)).bindTo(instance);

        Path dir = Files.createTempDirectory("atlas-warmup");
        try {
            Path file = dir.resolve("warmup.atlaspatch");
            PatchFile.write(patch(original), file);
            Patch patch = PatchFile.read(file);
            // threads inside requests while they are moved: the paths a server's workers take
            // (adopting a migration when a request closes, dispatch inside a request scope)
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch bound = new java.util.concurrent.CountDownLatch(2);
            List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                threads.add(Thread.ofPlatform().daemon().name("atlas-warmup-" + w).start(() -> {
                    try {
                        code.space().currentForCall();   // bound (detached) before anyone migrates it
                        bound.countDown();
                        while (!stop.get()) {
                            int r = (int) handle.invokeExact(1);
                            if (r != 2 && r != 3) {
                                throw new IllegalStateException("warm-up dispatch returned " + r);
                            }
                        }
                    } catch (Throwable e) {
                        LOG.log(Level.DEBUG, () -> "warm-up worker: " + e);
                    }
                }));
            }
            code.space().currentForCall();
            threads.add(Thread.currentThread());
            try {
                bound.await();
                for (int round = 0; round < 3; round++) {
                    dev.atlas.core.View home = code.space().defaultView();
                    dev.atlas.core.View v = code.publishWarmupView(patch, home);
                    dev.atlas.core.Migration in = code.space().migrate(v).threads(threads).start();
                    if (round == 0) {
                        pipeline.scheduleInlineCaches(in);   // its classes load here; it installs nothing new
                    }
                    in.await(WAIT);
                    exercise(handle, 3);
                    code.space().describe().render();
                    code.space().migrate(home).threads(threads).start().await(WAIT);
                    v.retire();
                    exercise(handle, 2);
                }
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    if (t != Thread.currentThread()) {
                        t.join();
                    }
                }
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void exercise(MethodHandle handle, int expected) throws Throwable {
        for (int i = 0; i < 2_000; i++) {
            int r = (int) handle.invokeExact(1);
            if (r != expected) {
                throw new IllegalStateException("warm-up dispatch returned " + r + ", expected " + expected);
            }
        }
    }

    /** {@code class Target { int m(int x) { return x + 1; } int handle(int x) { return m(x) + 0; } }} */
    private static byte[] targetClass() {
        ClassDesc self = ClassDesc.ofInternalName(TARGET);
        MethodTypeDesc ii = MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_int);
        return ClassFile.of().build(self, cb -> cb
                .withFlags(AccessFlag.PUBLIC, AccessFlag.SUPER)
                .withMethod("<init>", ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, mb -> mb.withCode(c -> c
                        .aload(0).invokespecial(ConstantDescs.CD_Object, "<init>", ConstantDescs.MTD_void).return_()))
                .withMethod("m", ii, ClassFile.ACC_PUBLIC, mb -> mb.withCode(c -> c.iload(1).iconst_1().iadd().ireturn()))
                .withMethod("handle", ii, ClassFile.ACC_PUBLIC, mb -> mb.withCode(c -> c
                        .aload(0).iload(1).invokevirtual(self, "m", ii).ireturn())));
    }

    /**
     * A patch replacing {@code m} with {@code x + 2}, written to use what real patches use: a
     * new field (a shadow field, written and read through {@code PatchLinker.linkField}),
     * string concatenation and a lambda (bootstrapped while preparing, through
     * {@link IndyRedirect} and {@code CallSitePrelinker}):
     * {@snippet lang=java :
     * static int replaced$m(Target self, int x) {
     *     self.seen = x;                          // added field
     *     String s = "" + self.seen;              // concatenation
     *     IntSupplier two = () -> 2;              // lambda
     *     return x + two.getAsInt() + s.length() - s.length();
     * }
     * }
     */
    private static Patch patch(byte[] original) {
        String body = TARGET + "$$AtlasPatch$" + PatchIds.PLACEHOLDER_ID.substring(0, 8);
        ClassDesc self = ClassDesc.ofInternalName(body);
        ClassDesc target = ClassDesc.ofInternalName(TARGET);
        ClassDesc linker = ClassDesc.of("dev.atlas.patch.runtime.PatchLinker");
        ClassDesc intSupplier = ClassDesc.of("java.util.function.IntSupplier");
        DirectMethodHandleDesc linkField = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, linker, "linkField",
                MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                        ConstantDescs.CD_MethodType, ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_String,
                        ConstantDescs.CD_int));
        DirectMethodHandleDesc concat = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
                ClassDesc.of("java.lang.invoke.StringConcatFactory"), "makeConcatWithConstants",
                MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                        ConstantDescs.CD_MethodType, ConstantDescs.CD_String, ConstantDescs.CD_Object.arrayType()));
        DirectMethodHandleDesc metafactory = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
                ClassDesc.of("java.lang.invoke.LambdaMetafactory"), "metafactory",
                MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                        ConstantDescs.CD_MethodType, ConstantDescs.CD_MethodType, ConstantDescs.CD_MethodHandle,
                        ConstantDescs.CD_MethodType));
        MethodTypeDesc returnsInt = MethodTypeDesc.of(ConstantDescs.CD_int);
        byte[] bodyBytes = ClassFile.of().build(self, cb -> cb
                .withFlags(AccessFlag.PUBLIC, AccessFlag.FINAL, AccessFlag.SUPER)
                .withMethod("lambda$two", returnsInt, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC,
                        mb -> mb.withCode(c -> c.iconst_2().ireturn()))
                .withMethod("replaced$m", MethodTypeDesc.of(ConstantDescs.CD_int, target, ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, mb -> mb.withCode(c -> c
                                .aload(0).iload(1)
                                .invokedynamic(DynamicCallSiteDesc.of(linkField, "put",
                                        MethodTypeDesc.of(ConstantDescs.CD_void, target, ConstantDescs.CD_int), TARGET, "seen", "I", 0))
                                .aload(0)
                                .invokedynamic(DynamicCallSiteDesc.of(linkField, "get", MethodTypeDesc.of(ConstantDescs.CD_int, target),
                                        TARGET, "seen", "I", 0))
                                .invokedynamic(DynamicCallSiteDesc.of(concat, "makeConcatWithConstants",
                                        MethodTypeDesc.of(ConstantDescs.CD_String, ConstantDescs.CD_int), "\u0001"))
                                .astore(2)
                                .iload(1)
                                .invokedynamic(DynamicCallSiteDesc.of(metafactory, "getAsInt", MethodTypeDesc.of(intSupplier),
                                        returnsInt, MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, self, "lambda$two",
                                                returnsInt), returnsInt))
                                .invokeinterface(intSupplier, "getAsInt", returnsInt)
                                .iadd()
                                .aload(2).invokevirtual(ConstantDescs.CD_String, "length", returnsInt).iadd()
                                .aload(2).invokevirtual(ConstantDescs.CD_String, "length", returnsInt).isub()
                                .ireturn())));
        String fp = ClassFingerprint.of(original);
        ClassPatch cp = new ClassPatch(TARGET, fp, new StringBuilder(fp).reverse().toString(),
                List.of(new MethodChange(MethodChange.Kind.REPLACED, "m", "(I)I", false, "replaced$m")),
                List.of(new FieldAddition("seen", "I", false, null)), bodyBytes, null);
        return PatchIds.assign(new Patch(Patch.FORMAT_VERSION, PatchIds.PLACEHOLDER_ID,
                "Atlas warm-up (synthetic class, rolled back)", List.of(cp), List.of()));
    }

    /** A throwaway loader for the synthetic class. */
    private static final class Loader extends ClassLoader {
        Loader() {
            super("atlas-warmup", PatchPathWarmup.class.getClassLoader());
        }

        Class<?> define(String internalName, byte[] bytes) {
            return defineClass(internalName.replace('/', '.'), bytes, 0, bytes.length);
        }
    }
}

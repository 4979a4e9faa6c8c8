package dev.atlas.patch.instrument;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Supplier;

/**
 * Request boundaries between two tasks of the JDK's executors: every task a
 * {@code ThreadPoolExecutor} worker runs, every {@code ForkJoinTask} a {@code ForkJoinPool}
 * (or a caller helping it) executes, and the task of each virtual thread a
 * {@code newVirtualThreadPerTaskExecutor()} starts runs inside a request scope. A worker is
 * therefore moved to a new view between two tasks, never inside one, and each task runs all-old
 * or all-new code, whatever its own class (lambdas included).
 *
 * <p>Where: four places inside {@code java.base}, rewritten when their class loads or, for those
 * loaded already, by one retransformation call (one VM operation for all of them; retried class by
 * class only if it fails):
 * {@snippet lang=text :
 *   ThreadPoolExecutor.runWorker:           task.run()  ->  AtlasTaskBoundary.run(task)
 *   ThreadPoolExecutor.beforeExecute/afterExecute:   AtlasTaskBoundary.before() / after() first
 *   ForkJoinTask.doExec:                    exec()      ->  AtlasTaskBoundary.exec(this)
 *   ThreadPerTaskExecutor$TaskRunner.run:   task.run()  ->  AtlasTaskBoundary.run(task)
 *   ThreadPerTaskExecutor$ThreadBoundFuture.run:   AtlasTaskBoundary.before() first, after() before each return
 * }
 * {@code java.util.concurrent.AtlasTaskBoundary} is a small class generated here and defined in
 * {@code java.base}'s own package (the JDK's code cannot see the agent's classes): a static
 * volatile {@code Supplier<Runnable>} hook that opens a scope and returns what closes it, or
 * null, in which case the task runs as before. The package is opened to the agent's module
 * (once, by {@link Instrumentation#redefineModule}) to define it.
 *
 * <p>{@code runWorker} is the loop a worker thread never leaves, so after a late attach the workers
 * already running keep its old code; they do call {@code beforeExecute} and {@code afterExecute}
 * afresh for every task, which open and close a scope kept in a thread-local of the bridge (a
 * {@code before()} whose {@code after()} a subclass skipped closes the stale scope first; a subclass
 * overriding both without calling {@code super} gets no boundary from them). {@code run(task)}
 * opens no scope of its own when {@code before()} opened one on the thread: a pool task runs in
 * one scope, whichever of the two opened it.
 *
 * <p>Cost per task: one volatile read, the scope's enter and close (two compareAndSets on the
 * thread's own binding) and one small allocation (the closer); a {@code ThreadPoolExecutor} task
 * also reads and clears the bridge's thread-local. A task that never ends (a loop
 * submitted to an executor) keeps its worker in its view: it is reported as a straggler by the
 * migration, as any request that does not end would be.
 *
 * <p>Threading: {@link #install} is called once by the agent's (serialised) install; the
 * transformer is stateless.
 */
public final class ExecutorBoundaries implements ClassFileTransformer {
    static final String BRIDGE = "java/util/concurrent/AtlasTaskBoundary";
    private static final ClassDesc BRIDGE_DESC = ClassDesc.ofInternalName(BRIDGE);
    private static final ClassDesc RUNNABLE = ClassDesc.of("java.lang.Runnable");
    private static final ClassDesc SUPPLIER = ClassDesc.of("java.util.function.Supplier");
    private static final ClassDesc FJT = ClassDesc.of("java.util.concurrent.ForkJoinTask");
    private static final ClassDesc THREAD_LOCAL = ClassDesc.of("java.lang.ThreadLocal");
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(ConstantDescs.CD_void, RUNNABLE);
    private static final MethodTypeDesc EXEC = MethodTypeDesc.of(ConstantDescs.CD_boolean, FJT);
    /** class -> the method whose task call is wrapped. */
    private static final Map<String, String> SITES = Map.of(
            "java/util/concurrent/ThreadPoolExecutor", "runWorker",
            "java/util/concurrent/ForkJoinTask", "doExec",
            "java/util/concurrent/ThreadPerTaskExecutor$TaskRunner", "run",
            // submit(): the virtual thread runs the future itself, whose run() is super.run() (FutureTask)
            "java/util/concurrent/ThreadPerTaskExecutor$ThreadBoundFuture", "run");
    private static final String WRAPPED = "java/util/concurrent/ThreadPerTaskExecutor$ThreadBoundFuture";

    ExecutorBoundaries() {}

    /**
     * Defines the bridge, sets its hook to {@code enterScope} (opens a request scope, returns
     * what closes it), and makes the task calls go through it.
     *
     * @return problems, one line each (empty when every site is woven)
     */
    public static List<String> install(Instrumentation inst, Supplier<Runnable> enterScope) {
        List<String> problems = new ArrayList<>();
        Class<?> bridge;
        try {
            bridge = bridge(inst);
            bridge.getField("hook").set(null, enterScope);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            problems.add("executor task boundaries not installed: " + e);
            return problems;
        }
        ExecutorBoundaries t = new ExecutorBoundaries();
        inst.addTransformer(t, true);
        java.util.Set<String> alreadyLoaded = new java.util.HashSet<>();
        for (Class<?> c : inst.getInitiatedClasses(null)) {
            String n = c.getName().replace('.', '/');
            if (SITES.containsKey(n)) {
                alreadyLoaded.add(n);
            }
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (String n : SITES.keySet()) {
            try {
                Class<?> c = Class.forName(n.replace('/', '.'), false, null);   // woven now if it was not loaded
                if (alreadyLoaded.contains(n)) {
                    loaded.add(c);
                }
            } catch (ClassNotFoundException e) {
                problems.add(n.replace('/', '.') + ": not in this JDK, its tasks get no boundary");
            }
        }
        if (!loaded.isEmpty()) {
            retransform(inst, loaded, problems);
        }
        return problems;
    }

    /** One retransformation call for all of {@code loaded}; if it fails, one per class, naming those that fail. */
    private static void retransform(Instrumentation inst, List<Class<?>> loaded, List<String> problems) {
        try {
            inst.retransformClasses(loaded.toArray(Class<?>[]::new));
            return;
        } catch (java.lang.instrument.UnmodifiableClassException | RuntimeException | LinkageError | InternalError e) {
            if (loaded.size() == 1) {
                problems.add(loaded.getFirst().getName() + ": not retransformed, its tasks get no boundary: " + e);
                return;
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (java.lang.instrument.UnmodifiableClassException | RuntimeException | LinkageError | InternalError e) {
                problems.add(c.getName() + ": not retransformed, its tasks get no boundary: " + e);
            }
        }
    }

    private static Class<?> bridge(Instrumentation inst) throws IllegalAccessException {
        Module base = ForkJoinTask.class.getModule();
        Module self = ExecutorBoundaries.class.getModule();
        try {
            return Class.forName(BRIDGE.replace('/', '.'), false, null);   // defined by an earlier install
        } catch (ClassNotFoundException notYet) {
            if (!base.isOpen("java.util.concurrent", self)) {
                inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.util.concurrent", Set.of(self)), Set.of(), Map.of());
            }
            return MethodHandles.privateLookupIn(ForkJoinTask.class, MethodHandles.lookup()).defineClass(bridgeBytes());
        }
    }

    /**
     * {@code public final class AtlasTaskBoundary { public static volatile Supplier<Runnable> hook;
     * static void run(Runnable); static boolean exec(ForkJoinTask) }}, each running the task
     * between {@code hook.get()} and the returned closer's {@code run()} (also on an exception).
     */
    static byte[] bridgeBytes() {
        return bridgeBytes(BRIDGE_DESC);
    }

    /** The bridge named {@code self} (a test defines it in its own package). */
    static byte[] bridgeBytes(ClassDesc self) {
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("hook", SUPPLIER, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_VOLATILE);
            cb.withField("OPEN", THREAD_LOCAL, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            cb.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, b -> b
                    .new_(THREAD_LOCAL).dup().invokespecial(THREAD_LOCAL, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                    .putstatic(self, "OPEN", THREAD_LOCAL).return_());
            // before(): closes a scope a previous before() left open (its afterExecute was skipped), opens one
            cb.withMethodBody("before", ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                var noHook = b.newLabel();
                var nothingOpen = b.newLabel();
                b.getstatic(self, "hook", SUPPLIER).astore(0).aload(0).ifnull(noHook);
                b.getstatic(self, "OPEN", THREAD_LOCAL).invokevirtual(THREAD_LOCAL, "get",
                        MethodTypeDesc.of(ConstantDescs.CD_Object)).astore(1).aload(1).ifnull(nothingOpen);
                b.aload(1).checkcast(RUNNABLE).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void);
                b.labelBinding(nothingOpen);
                b.getstatic(self, "OPEN", THREAD_LOCAL).aload(0).invokeinterface(SUPPLIER, "get",
                        MethodTypeDesc.of(ConstantDescs.CD_Object)).invokevirtual(THREAD_LOCAL, "set",
                        MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Object));
                b.labelBinding(noHook);
                b.return_();
            });
            // after(): closes the scope before() opened on this thread, if any
            cb.withMethodBody("after", ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                var nothingOpen = b.newLabel();
                b.getstatic(self, "OPEN", THREAD_LOCAL).invokevirtual(THREAD_LOCAL, "get",
                        MethodTypeDesc.of(ConstantDescs.CD_Object)).astore(0).aload(0).ifnull(nothingOpen);
                b.getstatic(self, "OPEN", THREAD_LOCAL).invokevirtual(THREAD_LOCAL, "remove", ConstantDescs.MTD_void);
                b.aload(0).checkcast(RUNNABLE).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void);
                b.labelBinding(nothingOpen);
                b.return_();
            });
            // run(task): the task in a scope of its own, unless before() opened one for it (runWorker)
            cb.withMethodBody("run", RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                var plain = b.newLabel();
                var scoped = b.newLabel();
                b.getstatic(self, "hook", SUPPLIER).astore(1).aload(1).ifnull(plain);
                b.getstatic(self, "OPEN", THREAD_LOCAL).invokevirtual(THREAD_LOCAL, "get",
                        MethodTypeDesc.of(ConstantDescs.CD_Object)).ifnull(scoped);
                b.labelBinding(plain);
                b.aload(0).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void).return_();
                b.labelBinding(scoped);
                b.aload(1).invokeinterface(SUPPLIER, "get", MethodTypeDesc.of(ConstantDescs.CD_Object))
                        .checkcast(RUNNABLE).astore(1);
                b.trying(t -> t.aload(0).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void),
                        c -> c.catchingAll(h -> h.astore(2).aload(1).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void)
                                .aload(2).athrow()));
                b.aload(1).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void).return_();
            });
            cb.withMethodBody("exec", EXEC, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                var scoped = b.newLabel();
                b.getstatic(self, "hook", SUPPLIER).astore(1).aload(1).ifnonnull(scoped);
                b.aload(0).invokevirtual(FJT, "exec", MethodTypeDesc.of(ConstantDescs.CD_boolean)).ireturn();
                b.labelBinding(scoped);
                b.aload(1).invokeinterface(SUPPLIER, "get", MethodTypeDesc.of(ConstantDescs.CD_Object))
                        .checkcast(RUNNABLE).astore(1);
                b.trying(t -> t.aload(0).invokevirtual(FJT, "exec", MethodTypeDesc.of(ConstantDescs.CD_boolean)).istore(2),
                        c -> c.catchingAll(h -> h.astore(3).aload(1).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void)
                                .aload(3).athrow()));
                b.aload(1).invokeinterface(RUNNABLE, "run", ConstantDescs.MTD_void).iload(2).ireturn();
            });
        });
    }

    /** A code transform that calls the bridge's {@code name()V} first. */
    private static CodeTransform prepend(String name) {
        return new CodeTransform() {
            @Override
            public void atStart(java.lang.classfile.CodeBuilder b) {
                b.invokestatic(BRIDGE_DESC, name, ConstantDescs.MTD_void);
            }

            @Override
            public void accept(java.lang.classfile.CodeBuilder b, java.lang.classfile.CodeElement e) {
                b.with(e);
            }
        };
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        String method = loader == null && className != null ? SITES.get(className) : null;
        if (method == null) {
            return null;
        }
        try {
            return weave(classfileBuffer, method);
        } catch (RuntimeException | LinkageError e) {
            System.getLogger("dev.atlas.patch").log(System.Logger.Level.WARNING,
                    () -> "Atlas: no task boundary woven into " + className + ": " + e);
            return null;
        }
    }

    /** {@code method}'s task call(s) in the class redirected to the bridge; null if it has none. */
    static byte[] weave(byte[] classBytes, String method) {
        ClassFile cf = ClassFile.of();
        ClassModel model = cf.parse(classBytes);
        boolean[] found = {false};
        CodeTransform redirect = (b, e) -> {
            if (e instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKEINTERFACE
                    && i.owner().asInternalName().equals("java/lang/Runnable") && i.name().equalsString("run")
                    && i.type().equalsString("()V")) {
                b.invokestatic(BRIDGE_DESC, "run", RUN);
                found[0] = true;
            } else if (e instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKEVIRTUAL
                    && i.owner().asInternalName().equals("java/util/concurrent/ForkJoinTask") && i.name().equalsString("exec")
                    && i.type().equalsString("()Z")) {
                b.invokestatic(BRIDGE_DESC, "exec", EXEC);
                found[0] = true;
            } else {
                b.with(e);
            }
        };
        if (model.thisClass().asInternalName().equals(WRAPPED)) {
            // the whole of run() between before() and after() (its super call cannot be redirected)
            found[0] = model.methods().stream().anyMatch(m -> m.methodName().equalsString(method));
            ClassTransform w = ClassTransform.transformingMethodBodies((MethodModel m) -> m.methodName().equalsString(method),
                    new CodeTransform() {
                        @Override
                        public void atStart(java.lang.classfile.CodeBuilder b) {
                            b.invokestatic(BRIDGE_DESC, "before", ConstantDescs.MTD_void);
                        }

                        @Override
                        public void accept(java.lang.classfile.CodeBuilder b, java.lang.classfile.CodeElement e) {
                            if (e instanceof java.lang.classfile.instruction.ReturnInstruction) {
                                b.invokestatic(BRIDGE_DESC, "after", ConstantDescs.MTD_void);
                            }
                            b.with(e);
                        }
                    });
            return found[0] ? cf.transformClass(model, w) : null;
        }
        boolean tpe = model.thisClass().asInternalName().equals("java/util/concurrent/ThreadPoolExecutor");
        // runWorker is a loop a worker never leaves: after a late attach, the workers already in it
        // keep its old code, but call beforeExecute/afterExecute afresh for every task
        ClassTransform t = (clb, ce) -> {
            if (ce instanceof MethodModel m && m.methodName().equalsString(method)) {
                clb.transformMethod(m, MethodTransform.transformingCode(redirect));
            } else if (tpe && ce instanceof MethodModel m && m.methodName().equalsString("beforeExecute")) {
                clb.transformMethod(m, MethodTransform.transformingCode(prepend("before")));
            } else if (tpe && ce instanceof MethodModel m && m.methodName().equalsString("afterExecute")) {
                clb.transformMethod(m, MethodTransform.transformingCode(prepend("after")));
            } else {
                clb.with(ce);
            }
        };
        byte[] out = cf.transformClass(model, t);
        return found[0] ? out : null;
    }
}

package dev.atlas.patch.instrument;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task call sites of this JDK's executors are found and redirected to the bridge, and the
 * results (and the bridge itself) pass the verifier. (The end-to-end check, jobs of three executors
 * patched under load with no mixed job, is {@code ExecutorWorkersIT} in atlas-it-servers.)
 */
class ExecutorBoundariesTest {
    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    /** Every invoke in {@code method} as "owner.name descriptor". */
    private static List<String> invokes(byte[] bytes, String method) {
        ClassModel m = ClassFile.of().parse(bytes);
        List<String> out = new ArrayList<>();
        for (MethodModel mm : m.methods()) {
            if (mm.methodName().equalsString(method)) {
                mm.code().orElseThrow().forEach(e -> {
                    if (e instanceof InvokeInstruction i) {
                        out.add(i.owner().asInternalName() + "." + i.name() + " " + i.type());
                    }
                });
            }
        }
        return out;
    }

    @Test
    void eachExecutorsTaskCallGoesThroughTheBridgeAndVerifies() throws IOException {
        String[][] sites = {
                {"java/util/concurrent/ThreadPoolExecutor", "runWorker", "java/lang/Runnable.run ()V", ".run (Ljava/lang/Runnable;)V"},
                {"java/util/concurrent/ForkJoinTask", "doExec", "java/util/concurrent/ForkJoinTask.exec ()Z",
                        ".exec (Ljava/util/concurrent/ForkJoinTask;)Z"},
                {"java/util/concurrent/ThreadPerTaskExecutor$TaskRunner", "run", "java/lang/Runnable.run ()V",
                        ".run (Ljava/lang/Runnable;)V"}};
        for (String[] s : sites) {
            byte[] original = jdkClass(s[0]);
            byte[] woven = ExecutorBoundaries.weave(original, s[1]);
            assertNotNull(woven, s[0] + " has no task call in " + s[1]);
            List<String> before = invokes(original, s[1]);
            List<String> after = invokes(woven, s[1]);
            assertEquals(before.stream().filter(x -> x.equals(s[2])).count(),
                    after.stream().filter(x -> x.equals(ExecutorBoundaries.BRIDGE + s[3])).count(), () -> s[0] + ": " + after);
            assertEquals(0, after.stream().filter(x -> x.equals(s[2])).count(), () -> s[0] + ": " + after);
            assertEquals(List.of(), ClassFile.of().verify(woven), s[0]);
        }
        byte[] tpe = ExecutorBoundaries.weave(jdkClass("java/util/concurrent/ThreadPoolExecutor"), "runWorker");
        assertEquals(List.of(ExecutorBoundaries.BRIDGE + ".before ()V"), invokes(tpe, "beforeExecute"));
        assertEquals(List.of(ExecutorBoundaries.BRIDGE + ".after ()V"), invokes(tpe, "afterExecute"));
        byte[] future = ExecutorBoundaries.weave(jdkClass("java/util/concurrent/ThreadPerTaskExecutor$ThreadBoundFuture"), "run");
        List<String> calls = invokes(future, "run");
        assertEquals(ExecutorBoundaries.BRIDGE + ".before ()V", calls.getFirst(), calls::toString);
        assertTrue(calls.contains(ExecutorBoundaries.BRIDGE + ".after ()V"), calls::toString);
        assertEquals(List.of(), ClassFile.of().verify(future));
        assertEquals(List.of(), ClassFile.of().verify(ExecutorBoundaries.bridgeBytes()));
    }

    /**
     * The bridge's logic, under a name of this package: woven {@code runWorker} calls
     * {@code before(); run(task); after()}, and the task gets one scope, not two; where only
     * {@code run} is called (a thread per task, a {@code beforeExecute} that skips {@code super}),
     * {@code run} opens the task's scope, and closes it when the task throws.
     */
    @Test
    void aPoolTaskRunsInOneScopeWhicheverOfBeforeAndRunOpensIt() throws Throwable {
        MethodHandles.Lookup l = MethodHandles.lookup();
        Class<?> bridge = l.defineClass(ExecutorBoundaries.bridgeBytes(
                ClassDesc.of(ExecutorBoundariesTest.class.getPackageName() + ".TaskBoundaryUnderTest")));
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        Supplier<Runnable> hook = () -> {
            opened.incrementAndGet();
            return closed::incrementAndGet;
        };
        bridge.getField("hook").set(null, hook);
        MethodHandle before = l.findStatic(bridge, "before", MethodType.methodType(void.class));
        MethodHandle after = l.findStatic(bridge, "after", MethodType.methodType(void.class));
        MethodHandle run = l.findStatic(bridge, "run", MethodType.methodType(void.class, Runnable.class));
        AtomicInteger ran = new AtomicInteger();
        Runnable task = () -> {
            assertEquals(opened.get() - 1, closed.get(), "the task runs inside its scope");
            ran.incrementAndGet();
        };

        before.invoke();
        run.invoke(task);
        after.invoke();
        assertEquals(List.of(1, 1, 1), List.of(ran.get(), opened.get(), closed.get()), "runWorker: one scope per task");

        run.invoke(task);
        assertEquals(List.of(2, 2, 2), List.of(ran.get(), opened.get(), closed.get()), "run alone opens the scope");

        Runnable failing = () -> {
            throw new IllegalStateException("task failed");
        };
        assertThrows(IllegalStateException.class, () -> run.invoke(failing));
        assertEquals(List.of(3, 3), List.of(opened.get(), closed.get()), "a failing task's scope is closed");
    }

    @Test
    void otherClassesAndMethodsAreLeftAlone() throws IOException {
        assertNull(ExecutorBoundaries.weave(jdkClass("java/util/concurrent/ThreadPoolExecutor"), "execute"));
        assertNull(new ExecutorBoundaries().transform(null, null, "java/util/ArrayList", null, null,
                jdkClass("java/util/ArrayList")));
        assertNull(new ExecutorBoundaries().transform(null, ClassLoader.getSystemClassLoader(),
                "java/util/concurrent/ThreadPoolExecutor", null, null, jdkClass("java/util/concurrent/ThreadPoolExecutor")),
                "only the boot loader's executors");
    }
}

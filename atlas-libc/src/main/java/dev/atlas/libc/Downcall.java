package dev.atlas.libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A libc function as an FFM downcall handle, linked on first use, optionally capturing
 * {@code errno}: the one place the native boundaries of Atlas (the system calls of
 * atlas-memory and atlas-spaces, the JIT window's scheduling calls in the agent) link
 * functions, read errno and unwrap what a handle throws.
 *
 * {@snippet class=dev.atlas.libc.snippets.LibcSnippets region=downcall}
 *
 * <p>Threading contract: any thread; two threads may both link a handle the first time, one
 * result is kept.
 *
 * <p>Implementation notes: linking costs tens of milliseconds per function in a fresh JVM
 * (more on a loaded machine: the linker generates classes), so a process that calls three
 * functions links three, not every function its boundary class knows.
 */
@SuppressWarnings("restricted")   // linking native functions is the point
public final class Downcall {
    private final String name;
    private final FunctionDescriptor descriptor;
    private final Linker.Option[] options;
    private volatile MethodHandle handle;

    private Downcall(String name, FunctionDescriptor descriptor, Linker.Option[] options) {
        this.name = name;
        this.descriptor = descriptor;
        this.options = options;
    }

    /** A function whose handle takes the arguments of {@code descriptor} and nothing else. */
    public static Downcall of(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return new Downcall(name, descriptor, options);
    }

    /**
     * A function whose handle takes a capture-state segment ({@link #stateLayout()}) before
     * its arguments, into which {@code errno} is saved right after the call.
     */
    public static Downcall withErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return new Downcall(name, descriptor, all);
    }

    /**
     * The handle, linked now if it was not yet.
     *
     * @throws UnsupportedOperationException off Linux x86_64/aarch64, or if libc lacks the function
     */
    public MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) {
            Libc.requireSupported();
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsupportedOperationException("libc has no symbol " + name));
            h = linker.downcallHandle(symbol, descriptor, options);
            handle = h;
        }
        return h;
    }

    /** The layout of the capture-state segment a {@link #withErrno} handle takes first. */
    public static MemoryLayout stateLayout() {
        return State.LAYOUT;
    }

    /** The {@code errno} a {@link #withErrno} call saved in {@code state}, read at its offset (no layout var handle to spin up). */
    public static int errno(MemorySegment state) {
        return state.get(java.lang.foreign.ValueLayout.JAVA_INT, State.ERRNO_OFFSET);
    }

    /** What to throw for a {@link Throwable} out of {@code invokeExact}: unchecked ones as they are. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    /** The capture-state layout, looked up on first use. */
    private static final class State {
        static final MemoryLayout LAYOUT = Linker.Option.captureStateLayout();
        static final long ERRNO_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    }
}

package dev.atlas.ulp.system;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TransferQueue;

/**
 * The API a program running in an Atlas host may call (the shared API: one class for every
 * program, loaded by the host). Outside a host (a plain {@code java -jar}) it still works:
 * {@link #programId()} is -1, {@link #coupled} runs the call directly, and
 * {@link #channel} gives a channel of this JVM.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=ulp}
 */
public final class Ulp {
    private static final SharedChannels OUTSIDE_HOST = new SharedChannels();

    private Ulp() {
    }

    /** The calling program's id in its host, or -1 outside a host. */
    public static long programId() {
        ProgramContext c = ProgramSystem.current();
        return c == null ? -1 : c.id();
    }

    /** The host's channel {@code name} (created on first use): objects sent are received by reference. */
    public static TransferQueue<Object> channel(String name) {
        ProgramContext c = ProgramSystem.current();
        return (c == null ? OUTSIDE_HOST : c.channels()).channel(name);
    }

    /**
     * Runs {@code call} on the program's own platform thread (its kernel context) and waits
     * for it: the bi-level thread idea. A virtual thread that would pin its carrier in a
     * blocking native call or a {@code synchronized} wait hands the call over and unmounts
     * while it waits, so the other programs' virtual threads keep their carriers. On a
     * platform thread, or outside a host, the call runs directly.
     *
     * @throws Exception whatever {@code call} throws
     */
    public static <T> T coupled(Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        ProgramContext c = ProgramSystem.current();
        if (c == null || !Thread.currentThread().isVirtual()) {
            return call.call();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        c.lifecycle().kernelContext().execute(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}

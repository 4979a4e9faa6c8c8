package dev.atlas.patch.runtime;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a patch's transfer hooks ({@code atlas$transfer}) in the patch's new view, on a
 * platform thread of their own bound to that view, before any application thread is there.
 *
 * <p>Threading: {@link #runIn} is called by the one thread applying a patch (under
 * {@link CodeViews}' lock) and returns after the hook thread ended; the results the hook
 * thread wrote are read after {@link Thread#join()}, which orders them.
 */
final class TransferHooks implements Runnable {
    private final List<String> ran = new ArrayList<>();
    private String failedHook;
    private Throwable failure;
    private final ViewSpace space;
    private final View view;
    private final Map<String, MethodHandle> hooks;

    private TransferHooks(ViewSpace space, View view, Map<String, MethodHandle> hooks) {
        this.space = space;
        this.view = view;
        this.hooks = hooks;
    }

    /**
     * Runs {@code p}'s hooks in {@code view}. If one fails, the view retires unused and the
     * patch is rejected with a {@link TransferHookFailedException} naming the hooks that ran:
     * the default view, its code and its threads are as before, and the patch can be applied
     * again. An interrupt of the calling thread is kept and re-asserted after the hooks ended.
     */
    static void runIn(ViewSpace space, View view, PreparedPatch p, PackageDefiner packages) {
        if (p.transferHooks().isEmpty()) {
            return;
        }
        TransferHooks run = new TransferHooks(space, view, p.transferHooks());
        Thread t = new HookThread(run, "atlas-transfer-" + p.patch().id(), packages);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();   // happens-before for ran, failedHook and failure
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (run.failure != null) {
            view.retire();
            throw new TransferHookFailedException(p.patch().id(), run.ran, run.failedHook, run.failure);
        }
    }

    /**
     * The thread the hooks run on: it carries the code views' package definer, whose lookup into
     * {@code java.lang.Class} a hook's {@link EnumConstantViews#publish} uses.
     */
    static final class HookThread extends Thread {
        final PackageDefiner packages;

        HookThread(Runnable hooks, String name, PackageDefiner packages) {
            super(hooks, name);
            this.packages = packages;
        }
    }

    @Override
    public void run() {
        space.bindCurrentThread(view);
        try {
            for (Map.Entry<String, MethodHandle> hook : hooks.entrySet()) {
                failedHook = hook.getKey();
                hook.getValue().invoke();
                ran.add(hook.getKey());
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            space.unbindCurrentThread();
        }
    }
}

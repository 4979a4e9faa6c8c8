package dev.atlas.patch.runtime;

/**
 * Gives an entry guard to a method of a class the agent does not instrument (the JDK's, or a
 * library's outside the include patterns), so that a patch may add to a loaded class an override
 * of it: in a view with the override, calls of the method on that class's objects, from any code
 * (String.valueOf, HashMap.equals, a library), run the new method ({@link OverrideDispatch}).
 *
 * {@snippet :
 * CodeViews views = new CodeViews(packages, ForeignMethodGuards.UNAVAILABLE);   // such overrides are refused
 * }
 *
 * <p>Implementation notes: {@link #guard} is called by one operator thread at a time, under
 * the code views' lock, while a patch is prepared; it gives the method its guard but leaves it
 * inert. While {@link #dispatch} has the slot on, the method's code asks {@code slot}'s
 * entry-guard call site ({@link MethodSlot#guardInvoker()}) on calls on instances of the
 * overriding classes, and runs its own body when that yields null, as an instrumented method's
 * guard does. The guard stays in the class for its life; inert, it costs nothing.
 */
@FunctionalInterface
public interface ForeignMethodGuards {
    /** No way to change classes that are not instrumented: such overrides are refused, naming why. */
    ForeignMethodGuards UNAVAILABLE = (slot, overrider) -> {
        throw new PatchRejectedException(slot.className().replace('/', '.') + "." + slot.name() + " is not instrumented (a JDK "
                + "class, or one outside the agent's include patterns), and these code views were created without a way "
                + "to give it an entry guard (the Atlas agent retransforms its class through java.lang.instrument); "
                + "remedy: apply the patch through the agent, or restart on the new release");
    };

    /**
     * Makes the instance method {@code slot} (registered for a method of a class that is not
     * instrumented) dispatch through {@code slot}'s entry guard when its receiver is an
     * instance of {@code overrider} (or of a class given in an earlier call): other receivers
     * run the method's own body without asking the views, so code the views run themselves
     * (an {@code equals} of a map key) never comes back to the guard. Idempotent; all or
     * nothing: on failure the class is as it was.
     *
     * @return the method's own body, of type {@code (C, P..)R}: its code entered as
     *         {@code invokespecial} would (through the guard, which a pending own-body request skips)
     * @throws PatchRejectedException if the method cannot get a guard (native, abstract, its
     *         class not modifiable or failing to retransform), naming why
     */
    java.lang.invoke.MethodHandle guard(MethodSlot slot, Class<?> overrider);

    /**
     * Switches {@code slot}'s guard (given by {@link #guard}) on: from when this returns, every
     * thread's call of the method on an instance of an overriding class asks the slot; or off:
     * the method runs its own body for every receiver without asking (with nothing to pay, once
     * the JIT has recompiled the callers). The code views switch a slot on before any thread can
     * enter a view with an override of it, and off once no view that is not retired has one.
     * Idempotent. Called by the code views' operator thread, or by a space's housekeeper when a
     * view retires; serialised by the implementation.
     *
     * @throws IllegalArgumentException if {@code slot} got no guard from {@link #guard}
     */
    default void dispatch(MethodSlot slot, boolean on) {
        // no guard was ever given: nothing to switch
    }
}

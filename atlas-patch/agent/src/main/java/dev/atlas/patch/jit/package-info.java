/**
 * The JIT while a patch goes in: {@link dev.atlas.patch.jit.JitPriorityWindow} runs the
 * JVM's compiler threads at a lower OS priority ({@link dev.atlas.patch.jit.JitPriority}:
 * {@code SCHED_IDLE} by default, or a nice value) from the start of a patch's preparation
 * until a few seconds after its migration, so that compiling the new code uses idle CPU
 * instead of the request threads' (Linux, {@code sched_setscheduler(2)} and
 * {@code setpriority(2)} through FFM; needs {@code --enable-native-access} and the right to
 * raise a priority back).
 */
package dev.atlas.patch.jit;

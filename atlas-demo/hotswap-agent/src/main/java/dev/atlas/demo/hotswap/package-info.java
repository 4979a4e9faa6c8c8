/**
 * The HotSpot baseline of the patch demo: a tiny {@code java.lang.instrument} agent that
 * redefines the classes that differ between two builds with
 * {@link java.lang.instrument.Instrumentation#redefineClasses}, which is what a Java team can
 * do today without Atlas (it is also what Arthas {@code redefine} and IDE HotSwap do).
 *
 * <p>Load it at start, {@code -javaagent:atlas-demo-hotswap-agent.jar=port=<port>}; it then
 * listens on {@code 127.0.0.1:<port>} for one-line commands ({@link dev.atlas.demo.hotswap.HotSwapAgent}).
 * What {@code redefineClasses} can express: new method bodies. What it cannot: new or removed
 * fields and methods (a new lambda is a new method), changed superclass or interfaces; it
 * then refuses the whole batch with {@link java.lang.UnsupportedOperationException}, and the
 * agent reports the refusal instead of applying part of it. The redefinition happens in a
 * global safepoint; frames already running keep the old code, calls made after it run the new
 * code, so a request in flight can mix both.
 */
package dev.atlas.demo.hotswap;

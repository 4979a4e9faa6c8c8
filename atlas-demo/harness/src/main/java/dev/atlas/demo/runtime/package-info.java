/**
 * {@code atlas demo runtime}: the view runtime's demo inside one JVM. A multi-threaded
 * workload runs in view v1; its threads migrate into view v2 one by one, each at its own
 * quiescence point, while the others keep working ({@link dev.atlas.demo.runtime.RuntimeDemo},
 * {@link dev.atlas.demo.runtime.DemoRun}).
 */
package dev.atlas.demo.runtime;

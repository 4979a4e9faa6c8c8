/**
 * {@code atlas demo}: the end-to-end patch demonstration. One service under constant open-loop
 * load, changed from build v1 to build v2 at time T in three ways (Atlas wait-free live
 * patching, HotSpot {@code redefineClasses}, a restart), after a control run with nothing
 * applied at T, compared side by side in a table and a latency chart. The scenario, the modes
 * and the measurements live in the demo harness ({@code dev.atlas.demo.run}); this package is
 * the command and the Atlas mode's applier, which applies the patch through the CLI's own
 * {@code atlas patch apply} path.
 */
package dev.atlas.demo.command;

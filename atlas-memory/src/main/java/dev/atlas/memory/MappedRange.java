package dev.atlas.memory;

import dev.atlas.core.View;

import java.lang.foreign.MemorySegment;

/**
 * One view's mapping of a whole region, for extensions that work at the page-table level
 * (userfaultfd). {@code segment} is the raw mapping, whatever the view's protection: it is
 * meant for native calls (ioctl ranges), not for Java access.
 *
 * @param view    the view; {@code null} for the space's base mapping, which serves every view
 *                with no memory configuration of its own (the base view and its unconfigured
 *                descendants)
 * @param region  the region
 * @param segment the region's pages in that view's mapping
 * @param shared  true if the whole region is mapped shared (no divergence) in that mapping
 */
public record MappedRange(View view, Region region, MemorySegment segment, boolean shared) {}

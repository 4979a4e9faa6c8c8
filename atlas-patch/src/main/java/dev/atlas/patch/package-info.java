/**
 * Code views and wait-free live patching: per-view method bodies, the agent, the patch
 * builder and the patch format.
 */
package dev.atlas.patch;

/**
 * The view runtime: a {@link dev.atlas.core.ViewSpace} of {@link dev.atlas.core.View}s,
 * threads bound to views, scopes, quiescence points, wait-free
 * {@link dev.atlas.core.Migration}s and retirement through grace periods.
 */
package dev.atlas.core;

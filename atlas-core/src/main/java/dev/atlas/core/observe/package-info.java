/**
 * Observability of a view space: listeners (called on the housekeeper thread, never on
 * a worker), JFR events ({@code dev.atlas.*}), and introspection (`ViewSpace.describe()`).
 */
package dev.atlas.core.observe;

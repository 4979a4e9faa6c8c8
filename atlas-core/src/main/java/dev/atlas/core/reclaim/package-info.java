/**
 * Deferred reclamation: the housekeeper thread that runs retirement cleanup and other
 * work that must never run on (or delay) a worker thread.
 */
package dev.atlas.core.reclaim;

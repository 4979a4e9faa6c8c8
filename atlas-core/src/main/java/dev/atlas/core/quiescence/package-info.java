/**
 * Quiescence points built into executors and queues: the point between two tasks, and
 * idle waiting for work, so that ordinary thread pools migrate without code changes.
 */
package dev.atlas.core.quiescence;

/**
 * Memory views: off-heap regions shared, private or re-protected per view, on real virtual
 * memory (memfd + mmap, userfaultfd write-protect snapshots). Linux only.
 */
package dev.atlas.memory;

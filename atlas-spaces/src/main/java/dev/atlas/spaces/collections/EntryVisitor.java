package dev.atlas.spaces.collections;

/** Receives the entries of a shared map, one call per key with a value. */
@FunctionalInterface
public interface EntryVisitor {
    void visit(long key, long value);
}

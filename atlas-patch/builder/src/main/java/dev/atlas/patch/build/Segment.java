package dev.atlas.patch.build;

import java.lang.classfile.MethodModel;

/**
 * A field initialiser cut out of a constructor or static initialiser of the new build:
 * instructions {@code start..end} of {@code source}, where {@code end} is the
 * {@code putfield}/{@code putstatic} of the new field and, for an instance field,
 * {@code start} is the {@code aload_0} that pushes the receiver.
 */
record Segment(MethodModel source, int start, int end, boolean instance) {
    /** First instruction of the value expression. */
    int valueStart() {
        return instance ? start + 1 : start;
    }
}

package dev.atlas.memory.snapshot;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Recognises memory of a {@link dev.atlas.memory.MemorySpace} by what the kernel says of it
 * ({@code /proc/self/maps}: a space's memory file is named {@code atlas:<space>}), so that
 * a snapshot given such a segment raw can refuse it: a space unmaps a view's memory when
 * the view retires, which only the space-aware {@code region(space, region)} follows.
 */
final class SpaceMemory {
    private static final String MARK = "/memfd:atlas:";

    private SpaceMemory() {}

    /** "mapping i (...) is memory of space 'x'" for the first such mapping, else null. */
    static String find(MemorySegment... mappings) {
        java.util.List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            return null;   // no /proc: nothing to recognise
        }
        for (int i = 0; i < mappings.length; i++) {
            long start = mappings[i].address();
            long end = start + mappings[i].byteSize();
            for (String l : lines) {
                int mark = l.indexOf(MARK);
                if (mark < 0) {
                    continue;
                }
                int dash = l.indexOf('-');
                int space = l.indexOf(' ');
                long from = Long.parseUnsignedLong(l, 0, dash, 16);
                long to = Long.parseUnsignedLong(l, dash + 1, space, 16);
                if (Long.compareUnsigned(from, end) < 0 && Long.compareUnsigned(start, to) < 0) {
                    String name = l.substring(mark + MARK.length()).replace(" (deleted)", "");
                    return "mapping " + i + " (" + mappings[i] + ") is memory of memory space '" + name + "'";
                }
            }
        }
        return null;
    }
}

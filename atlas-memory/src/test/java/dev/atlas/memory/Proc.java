package dev.atlas.memory;

import dev.atlas.testsupport.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Test helpers: /proc/self/maps, /proc/self/fd, waiting for the housekeeper. */
final class Proc {
    private Proc() {}

    /** One line of /proc/self/maps. */
    record MapLine(long start, long end, String perms, String path) {}

    static List<MapLine> maps() {
        try {
            List<MapLine> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.trim().split("\\s+", 6);
                String[] range = f[0].split("-");
                out.add(new MapLine(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), f[1],
                        f.length > 5 ? f[5] : ""));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of /proc/self/maps naming the memory file of space {@code spaceName}. */
    static List<MapLine> mapsOf(String spaceName) {
        String needle = "memfd:atlas:" + spaceName + " ";
        return maps().stream().filter(l -> (l.path() + " ").contains(needle)).toList();
    }

    /** The permissions of every mapping overlapping {@code s}. */
    static List<String> permsOver(MemorySegment s) {
        return permsOver(s.address(), s.byteSize());
    }

    /** The permissions of every mapping overlapping [address, address+length). */
    static List<String> permsOver(long a, long length) {
        long b = a + length;
        return maps().stream().filter(l -> l.end() > a && l.start() < b).map(MapLine::perms).toList();
    }

    /** True if any mapping overlaps the given address range. */
    static boolean anyMappingOver(long address, long length) {
        return maps().stream().anyMatch(l -> l.end() > address && l.start() < address + length);
    }

    /** True if a mapping of space {@code spaceName}'s memory file overlaps [address, address+length). */
    static boolean memfdMappedOver(String spaceName, long address, long length) {
        return mapsOf(spaceName).stream().anyMatch(l -> l.end() > address && l.start() < address + length);
    }

    /** Number of anonymous PROT_NONE mappings of exactly {@code size} bytes (unused parts of view reservations). */
    static long reservationsOfSize(long size) {
        return maps().stream().filter(l -> l.perms().equals("---p") && l.path().isEmpty() && l.end() - l.start() == size)
                .count();
    }

    static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition);
    }
}

package dev.atlas.memory.linux;

import dev.atlas.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/**
 * Reads {@code /proc/self/pagemap}: one 64-bit entry per virtual page. The flags used here
 * (present, swapped, file-page/shared-anonymous) are readable without privileges; the page
 * frame numbers are not (they read as 0) and are not used.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=pagemap}
 *
 * <p>In a {@code MAP_PRIVATE} mapping of a file, a page the process wrote was copied on
 * write into an anonymous page: it is present (bit 63) or swapped (bit 62) and not a file
 * page (bit 61 clear). A page only read, or never touched, is a file page or absent.
 */
public final class Pagemap {
    /** Bit 63: page present in RAM. */
    public static final long PRESENT = 1L << 63;
    /** Bit 62: page swapped out. */
    public static final long SWAPPED = 1L << 62;
    /** Bit 61: page is a file page or shared anonymous. */
    public static final long FILE_OR_SHARED = 1L << 61;

    private static final String PATH = "/proc/self/pagemap";
    private static final int CHUNK_PAGES = 64 * 1024;   // 512 KiB of entries per read

    private Pagemap() {}

    /** The raw entries of every page of {@code range} (page-aligned start and size). */
    public static long[] entries(MemorySegment range) {
        long pages = checkAligned(range);
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("range of " + pages + " pages is too large to read at once");
        }
        long[] out = new long[(int) pages];
        read(range, (index, chunk, n) -> MemorySegment.copy(chunk, ValueLayout.JAVA_LONG, 0, out, (int) index, n));
        return out;
    }

    /**
     * The pages of {@code range} that are private anonymous (present or swapped, not a file
     * page): in a {@code MAP_PRIVATE} file mapping, exactly the pages written through it.
     * Reads the entries in chunks, so a large range needs one bit per page, not 64.
     */
    public static BitSet privatePages(MemorySegment range) {
        long pages = checkAligned(range);
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("range of " + pages + " pages is too large for a BitSet");
        }
        BitSet bits = new BitSet((int) pages);
        read(range, (index, chunk, n) -> {
            for (int i = 0; i < n; i++) {
                if (isPrivateAnonymous(chunk.getAtIndex(ValueLayout.JAVA_LONG, i))) {
                    bits.set((int) (index + i));
                }
            }
        });
        return bits;
    }

    private interface ChunkConsumer {
        void accept(long firstPage, MemorySegment entries, int count);
    }

    private static void read(MemorySegment range, ChunkConsumer consumer) {
        long page = Libc.pageSize();
        long pages = range.byteSize() / page;
        int fd = Linux.open(PATH, Linux.O_RDONLY | Linux.O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.min(pages, CHUNK_PAGES) * 8, 8);
            long firstIndex = range.address() / page;
            for (long done = 0; done < pages; ) {
                int n = (int) Math.min(CHUNK_PAGES, pages - done);
                MemorySegment slice = buf.asSlice(0, n * 8L);
                long got = Linux.pread(fd, slice, (firstIndex + done) * 8);
                if (got != n * 8L) {
                    throw new IllegalStateException("short read of " + PATH + ": " + got + " of " + n * 8L + " bytes");
                }
                consumer.accept(done, slice, n);
                done += n;
            }
        } finally {
            Linux.closeQuietly(fd);
        }
    }

    /** True if the entry describes a private anonymous page (present or swapped, not file/shared). */
    public static boolean isPrivateAnonymous(long entry) {
        return (entry & (PRESENT | SWAPPED)) != 0 && (entry & FILE_OR_SHARED) == 0;
    }

    private static long checkAligned(MemorySegment range) {
        long page = Libc.pageSize();
        if (range.address() % page != 0 || range.byteSize() % page != 0) {
            throw new IllegalArgumentException("range " + Linux.hex(range.address()) + "+" + range.byteSize()
                    + " is not page-aligned (page size " + page + ")");
        }
        return range.byteSize() / page;
    }
}

package dev.atlas.memory.snapshot;

import dev.atlas.core.ViewSpace;
import dev.atlas.memory.linux.Linux;
import dev.atlas.memory.uffd.Userfaultfd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MemorySnapshotTest {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    enum Config {
        COPY_BEFORE_WRITE(SnapshotMethod.COPY_BEFORE_WRITE, 1, false),
        COPY_BEFORE_WRITE_CHUNKED_BACKGROUND(SnapshotMethod.COPY_BEFORE_WRITE, 8, true),
        EAGER(SnapshotMethod.EAGER_COPY, 1, false);

        final SnapshotMethod method;
        final int chunk;
        final boolean background;

        Config(SnapshotMethod method, int chunk, boolean background) {
            this.method = method;
            this.chunk = chunk;
            this.background = background;
        }
    }

    static void assumeNative(Config c) {
        if (c.method == SnapshotMethod.COPY_BEFORE_WRITE) {
            assumeTrue(Userfaultfd.availability().available(), Userfaultfd.availability().reason());
        }
    }

    static MemorySegment copyOf(SnapshotRegion r, Arena arena) {
        MemorySegment c = arena.allocate(r.byteSize(), 8);
        r.copyTo(0, c, 0, r.byteSize());
        return c;
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void manySnapshotsUnderConcurrentWritersAreEachAConsistentCut(Config config) throws Exception {
        assumeNative(config);
        SlotStore store = new SlotStore(3, 20_000);
        try (ViewSpace space = ViewSpace.create("snap-stress");
             Writers writers = new Writers(space, store, false);
             Arena arena = Arena.ofConfined()) {
            SnapshotCut cut = SnapshotCut.quiescent(space, writers.threads, TIMEOUT);
            long[] previous = new long[store.writers];
            for (int i = 0; i < 25; i++) {
                try (MemorySnapshot s = MemorySnapshot.builder().region("store", store.memory).cut(cut)
                        .method(config.method).chunkPages(config.chunk).backgroundCopy(config.background).take()) {
                    assertEquals(config.method, s.stats().method());
                    long before = writers.total();
                    while (writers.total() < before + 2_000 && writers.failure.get() == null) {
                        Thread.onSpinWait();   // let the writers overwrite much of it first
                    }
                    long[] seqs = store.verify(copyOf(s.region("store"), arena), 50_000);
                    for (int w = 0; w < seqs.length; w++) {
                        assertTrue(seqs[w] >= previous[w], "writer " + w + " went back from " + previous[w] + " to " + seqs[w]);
                        assertTrue(seqs[w] <= writers.done.get(w), "writer " + w + " is at " + writers.done.get(w) + " < " + seqs[w]);
                    }
                    // reading twice gives the same cut, writers still running
                    assertArrayEquals(seqs, store.verify(copyOf(s.region("store"), arena), 50_000));
                    previous = seqs;
                }
            }
        } finally {
            store.unmap();
        }
    }

    @Test
    void writersInRequestScopesAreCutBetweenRequests() throws Exception {
        assumeNative(Config.COPY_BEFORE_WRITE);
        SlotStore store = new SlotStore(2, 5_000);
        try (ViewSpace space = ViewSpace.create("snap-requests");
             Writers writers = new Writers(space, store, false, true);
             Arena arena = Arena.ofConfined()) {
            SnapshotCut cut = SnapshotCut.quiescent(space, writers.threads, TIMEOUT);
            for (int i = 0; i < 10; i++) {
                try (MemorySnapshot s = MemorySnapshot.builder().region("store", store.memory).cut(cut).take()) {
                    long before = writers.total();
                    while (writers.total() < before + 1_000 && writers.failure.get() == null) {
                        Thread.onSpinWait();
                    }
                    store.verify(copyOf(s.region("store"), arena), 50_000);
                }
            }
        } finally {
            store.unmap();
        }
    }

    @Test
    void forcedFallbackByPropertyCopiesEagerlyAndSaysWhy() throws Exception {
        SlotStore store = new SlotStore(2, 1_000);
        String old = System.setProperty(MemorySnapshot.FORCE_EAGER_PROPERTY, "true");
        try (ViewSpace space = ViewSpace.create("snap-forced");
             Writers writers = new Writers(space, store, false);
             Arena arena = Arena.ofConfined();
             MemorySnapshot s = MemorySnapshot.builder().region("store", store.memory)
                     .cut(SnapshotCut.quiescent(space, writers.threads, TIMEOUT)).take()) {
            assertEquals(SnapshotMethod.EAGER_COPY, s.stats().method());
            assertTrue(s.fallbackReason().orElseThrow().contains(MemorySnapshot.FORCE_EAGER_PROPERTY));
            store.verify(copyOf(s.region("store"), arena), 50_000);
        } finally {
            if (old == null) {
                System.clearProperty(MemorySnapshot.FORCE_EAGER_PROPERTY);
            } else {
                System.setProperty(MemorySnapshot.FORCE_EAGER_PROPERTY, old);
            }
            store.unmap();
        }
    }

    @Test
    void aGcDuringASnapshotWithActiveFaultsDoesNotHang() throws Exception {
        assumeNative(Config.COPY_BEFORE_WRITE);
        SlotStore store = new SlotStore(3, 50_000);
        try (ViewSpace space = ViewSpace.create("snap-gc");
             Writers writers = new Writers(space, store, true);
             Arena arena = Arena.ofConfined()) {
            SnapshotCut cut = SnapshotCut.quiescent(space, writers.threads, TIMEOUT);
            for (int i = 0; i < 10; i++) {
                try (MemorySnapshot s = MemorySnapshot.builder().region("store", store.memory).cut(cut)
                        .method(SnapshotMethod.COPY_BEFORE_WRITE).take()) {
                    for (int g = 0; g < 3; g++) {
                        System.gc();    // writers are faulting meanwhile (fresh pages after the cut)
                    }
                    assertTrue(s.handlerStats().orElseThrow().faults() >= 0);
                    store.verify(copyOf(s.region("store"), arena), 50_000);
                }
            }
        } finally {
            store.unmap();
        }
    }

    static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long userfaultfds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().contains("userfaultfd");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    /** Whether one mapping in /proc/self/maps covers {@code [address, address + bytes)}. */
    static boolean mapped(long address, long bytes) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = l.substring(0, l.indexOf(' ')).split("-");
            long from = Long.parseUnsignedLong(range[0], 16);
            long to = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(from, address) <= 0 && Long.compareUnsigned(address + bytes, to) <= 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether /proc/self/maps has a mapping of exactly {@code [address, address + bytes)}. */
    static boolean mappedExactly(long address, long bytes) throws IOException {
        String range = Long.toHexString(address) + "-" + Long.toHexString(address + bytes) + " ";
        for (String l : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (l.startsWith(range)) {
                return true;
            }
        }
        return false;
    }

    /** Mappings of exactly {@code bytes} bytes in /proc/self/maps. */
    static long mappingsOfSize(long bytes) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> {
            String[] range = l.substring(0, l.indexOf(' ')).split("-");
            return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16) == bytes;
        }).count();
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void releaseLeavesNoFileDescriptorOrMappingBehind(Config config) throws Exception {
        assumeNative(config);
        long odd = 37 * 4096;   // a size nothing else here uses
        MemorySegment m = Anon.map(odd);
        try {
            m.fill((byte) 3);
            long fds = fds();
            long maps = mappingsOfSize(odd);
            for (int i = 0; i < 10; i++) {
                MemorySnapshot s = MemorySnapshot.builder().region("r", m).method(config.method)
                        .chunkPages(config.chunk).backgroundCopy(config.background).take();
                MemorySegment buffer = s.region("r").copyBuffer();
                try {
                    m.set(ValueLayout.JAVA_BYTE, i * 4096L, (byte) 9);
                    assertEquals(3, s.region("r").getLong(i * 4096L) & 0xff);
                    // by address, not by size: the kernel may merge the buffer with a neighbouring mapping
                    assertTrue(mapped(buffer.address(), buffer.byteSize()), "the snapshot's buffer is mapped");
                } finally {
                    s.close();
                }
                assertFalse(mappedExactly(buffer.address(), buffer.byteSize()), "the snapshot's buffer is unmapped");
                s.close();   // idempotent
                assertThrows(IllegalStateException.class, () -> s.region("r"));
                m.set(ValueLayout.JAVA_BYTE, i * 4096L + 1, (byte) 9);   // no fault, no handler
            }
            assertEquals(fds, fds(), "file descriptors");
            assertEquals(0, userfaultfds());
            assertEquals(maps, mappingsOfSize(odd), "mappings of the snapshot buffers");
        } finally {
            Anon.unmap(m);
        }
    }

    @Test
    void readsOfAReleasedSnapshotFailClearly() {
        MemorySegment m = Anon.map(4096);
        try {
            MemorySnapshot s = MemorySnapshot.builder().region("r", m).take();
            SnapshotRegion r = s.region("r");
            s.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.getLong(0));
            assertTrue(e.getMessage().contains("released"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> r.copyTo(0, MemorySegment.ofArray(new byte[8]), 0, 8));
        } finally {
            Anon.unmap(m);
        }
    }

    @Test
    void badInputIsRefusedNamingTheValueAndLeavesNothingBehind() throws Exception {
        MemorySegment m = Anon.map(8 * 4096);
        long fds = fds();
        try {
            IllegalArgumentException e;
            e = assertThrows(IllegalArgumentException.class,
                    () -> MemorySnapshot.builder().region("heap", MemorySegment.ofArray(new byte[4096])));
            assertTrue(e.getMessage().contains("heap"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> MemorySnapshot.builder().region("odd", m.asSlice(8, 4096)));
            assertTrue(e.getMessage().contains("offset 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> MemorySnapshot.builder().region("short", m.asSlice(0, 100)));
            assertTrue(e.getMessage().contains("100 bytes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> MemorySnapshot.builder().region("sizes", m.asSlice(0, 4096), m.asSlice(4096, 8192)));
            assertTrue(e.getMessage().contains("8192"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> MemorySnapshot.builder().region("a", m.asSlice(0, 8192)).region("b", m.asSlice(4096, 8192)));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> MemorySnapshot.builder().region("a", m.asSlice(0, 4096)).region("a", m.asSlice(4096, 4096)));
            assertTrue(e.getMessage().contains("'a'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> MemorySnapshot.builder().region("ro", m.asReadOnly()));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> MemorySnapshot.builder().chunkPages(0));
            assertThrows(IllegalStateException.class, () -> MemorySnapshot.builder().take());
            try (ViewSpace space = ViewSpace.create("bad")) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> SnapshotCut.quiescent(space, List.of(Thread.currentThread()), TIMEOUT));
                assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> SnapshotCut.quiescent(space, List.of(), TIMEOUT));
                Thread unbound = Thread.ofPlatform().unstarted(() -> { });
                SnapshotCut cut = SnapshotCut.quiescent(space, List.of(unbound), TIMEOUT);
                RuntimeException re = assertThrows(RuntimeException.class,
                        () -> MemorySnapshot.builder().region("r", m).cut(cut).take());
                assertTrue(re.getMessage().contains(unbound.getName()) || re.getMessage().contains("bound"), re.getMessage());
            }
            assertEquals(fds, fds(), "nothing registered is left behind");
            m.set(ValueLayout.JAVA_LONG, 0, 1);   // writable, no handler: would hang if left protected
        } finally {
            Anon.unmap(m);
        }
    }

    @Test
    void aCutHomedInARetiredViewIsRefusedNamingItAndLeavesNothingBehind() throws Exception {
        SlotStore store = new SlotStore(1, 100);
        try (ViewSpace space = ViewSpace.create("snap-retired");
             Writers writers = new Writers(space, store, false)) {
            dev.atlas.core.View gone = space.derive(space.baseView(), "gone").publish();
            gone.retire();
            long fds = fds();
            SnapshotCut cut = SnapshotCut.quiescent(space, gone, writers.threads, TIMEOUT);
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> MemorySnapshot.builder().region("store", store.memory).cut(cut).take());
            assertTrue(String.valueOf(e.getMessage()).contains("gone"), String.valueOf(e.getMessage()));
            assertEquals(fds, fds(), "no userfaultfd or eventfd left");
            assertEquals(0, userfaultfds());
            long before = writers.total();
            while (writers.total() < before + 100) {
                Thread.onSpinWait();   // the writers were never stopped nor left protected
            }
        } finally {
            store.unmap();
        }
    }

    @Test
    void aSecondLiveSnapshotOfTheSameMappingIsRefused() throws Exception {
        assumeNative(Config.COPY_BEFORE_WRITE);
        MemorySegment m = Anon.map(4 * 4096);
        try (MemorySnapshot first = MemorySnapshot.builder().region("r", m).method(SnapshotMethod.COPY_BEFORE_WRITE).take()) {
            long fds = fds();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MemorySnapshot.builder().region("again", m).take());
            assertTrue(e.getMessage().contains("'again'"), e.getMessage());
            assertEquals(fds, fds());
            m.set(ValueLayout.JAVA_LONG, 0, 42);
            assertEquals(0, first.region("r").getLong(0));
        } finally {
            Anon.unmap(m);
        }
    }
}

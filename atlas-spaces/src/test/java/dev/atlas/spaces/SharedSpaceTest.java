package dev.atlas.spaces;

import dev.atlas.spaces.heap.HeapExhaustedException;
import dev.atlas.spaces.sys.SpaceSyscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedSpaceTest {
    @TempDir
    Path tmp;
    SpaceDirectory dir;

    @BeforeEach
    void setUp() {
        dir = SpaceDirectory.at(tmp);
    }

    @AfterEach
    void cleanUp() {
        for (SpaceInfo i : dir.list()) dir.delete(i.metadata().name(), true);
        try {
            dir.delete("theirs", true);
        } catch (SpaceException e) {
            assertEquals(SpaceException.Reason.NOT_FOUND, e.reason());
        }
    }

    @Test
    void createAttachAtTheSameAddressAndFindRoots() {
        long p;
        try (SharedSpace s = dir.create("orders", 1 << 20, 0600)) {
            p = s.allocate(64);
            s.segment().set(JAVA_LONG, s.offsetOf(p), 42L);
            s.setRoot("answer", "long", p);
            assertFalse(s.relocated());
            long base = s.metadata().segments().getFirst().base();
            assertEquals(base, s.segment().address(), "FIXED: mapped at the recorded address");
            assertTrue(base >= SpaceDirectory.ADDRESS_LOW && base < SpaceDirectory.ADDRESS_HIGH);
        }
        try (SharedSpace s = dir.attach("orders", AttachOptions.READ_ONLY)) {
            long q = s.root("answer", "long");
            assertEquals(p, q);
            assertEquals(42L, s.segment().get(JAVA_LONG, s.offsetOf(q)));
            SpaceException e = assertThrows(SpaceException.class, () -> s.root("answer", "string"));
            assertEquals(SpaceException.Reason.ROOT, e.reason());
        }
    }

    @Test
    void detachingLeavesTheAttachedTableAndTheSlotIsTakenAgain() throws Exception {
        long me = ProcessHandle.current().pid();
        SharedSpace created = dir.create("table", 1 << 20, 0600);
        assertEquals(List.of(me), dir.inspect("table").attached(), "the creator is attached");
        created.close();   // never used: leaves its slot with a one-byte pwrite, its mapping untouched
        created.close();   // idempotent
        Path file = dir.spaceFile("table");
        long slot0 = dev.atlas.spaces.format.SpaceHeader.FIXED.byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("attached"));
        long entry = readLong(file, slot0);
        assertTrue(entry < 0 && (entry & 0x00FF_FFFF_FFFF_FFFFL) == me, "slot 0 marked as left: 0x" + Long.toHexString(entry));
        SpaceInfo left = dir.inspect("table");
        assertEquals(List.of(), left.attached(), "nobody attached after the detach");
        assertEquals(List.of(), left.deadAttached(), "a slot left by its process is free, not a dead attacher");
        try (SharedSpace a = dir.attach("table", AttachOptions.READ_WRITE)) {
            assertEquals(me, readLong(file, slot0), "a new attachment takes the free slot 0");
            assertEquals(List.of(me), dir.inspect("table").attached());
            a.allocate(64);
        }
        assertEquals(0L, readLong(file, slot0), "an attachment that registered through its mapping leaves it by CAS");
        try (SharedSpace used = dir.create("used", 1 << 20, 0600)) {
            used.setRoot("r", "t", used.allocate(64));   // mapping touched: the detach's pwrite still leaves the slot
        }
        assertEquals(List.of(), dir.inspect("used").attached());
        assertEquals(List.of(), dir.inspect("used").deadAttached());
    }

    @Test
    void closingACreatedSpaceFromSeveralThreadsAtOnceDetachesOnceAndClosesItsFile() throws Exception {
        for (int round = 0; round < 20; round++) {
            SharedSpace s = dir.create("c" + round, 1 << 20, 0600);
            Path file = dir.spaceFile("c" + round).toRealPath();
            assertEquals(1, fdsOn(file), "the creator's attachment keeps its file open");
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> closers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                closers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        s.close();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : closers) t.join();
            assertTrue(failures.isEmpty(), "closers: " + failures);
            assertEquals(0, fdsOn(file), "the file closed");
            assertEquals(List.of(), dir.inspect("c" + round).attached());
        }
    }

    /**
     * Create prepares its image in a buffer of its thread that it uses again: after a longer
     * name, after a failed create, the file's header and heap header are byte for byte what
     * formatting into fresh zeroed memory gives.
     */
    @Test
    void aCreateAfterOthersOnTheSameThreadWritesTheHeaderAFreshImageHas() throws Exception {
        dir.create("x".repeat(64), 4L << 20, 0660).close();
        assertHeaderAsFresh("s", 1 << 20);
        SpaceDirectory failing = dir.reportingCreateSteps(step -> {
            if (step == SpaceDirectory.CreateStep.WRITTEN) throw new IllegalStateException("stop after the first write");
        });
        assertThrows(IllegalStateException.class, () -> failing.create("y".repeat(40), 2L << 20, 0600));
        assertFalse(Files.exists(dir.spaceFile("y".repeat(40))), "the failed create removed its file");
        assertHeaderAsFresh("t", 3L << 20);
        dir.create("z".repeat(30), 1 << 20, 0600).close();
        assertHeaderAsFresh("u2", 1 << 20);
    }

    /** Creates {@code name} and compares its file's first bytes with an image formatted into zeroed memory. */
    private void assertHeaderAsFresh(String name, long capacity) throws Exception {
        try (SharedSpace s = dir.create(name, capacity, 0600);
             java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            long heapHeader = dev.atlas.spaces.heap.SharedHeap.headerBytes();
            MemorySegment expected = a.allocate(dev.atlas.spaces.format.SpaceHeader.BYTES + heapHeader, 8);
            long pid = ProcessHandle.current().pid();
            dev.atlas.spaces.format.SpaceHeader.formatImage(expected, s.metadata(), pid, pid);
            expected.set(JAVA_LONG, dev.atlas.spaces.format.SpaceHeader.magicOffset(), dev.atlas.spaces.format.SpaceHeader.MAGIC);
            dev.atlas.spaces.heap.SharedHeap.formatZeroedImage(expected.asSlice(dev.atlas.spaces.format.SpaceHeader.SEGMENT_OFFSET),
                    capacity, 4096);
            ByteBuffer actual = ByteBuffer.allocate((int) expected.byteSize());
            try (FileChannel ch = FileChannel.open(dir.spaceFile(name), StandardOpenOption.READ)) {
                while (actual.hasRemaining() && ch.read(actual, actual.position()) > 0) { }
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    actual.array(), "header and heap header of " + name);
        }
    }

    /** How many of this process's file descriptors refer to {@code file}. */
    private static long fdsOn(Path file) throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (Exception e) {
                    return false;   // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }

    private static long readLong(Path file, long offset) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
            ch.read(b, offset);
            return b.getLong(0);
        }
    }

    @Test
    void badNamesAndDuplicatesAreRefusedAndChangeNothing() {
        assertEquals(SpaceException.Reason.BAD_NAME,
                assertThrows(SpaceException.class, () -> dir.create("../x", 1 << 20, 0600)).reason());
        try (SharedSpace s = dir.create("a", 1 << 20, 0600)) {
            SpaceException e = assertThrows(SpaceException.class, () -> dir.create("a", 1 << 20, 0600));
            assertEquals(SpaceException.Reason.EXISTS, e.reason());
            assertTrue(e.getMessage().contains("'a'"), e.getMessage());
            s.setRoot("r", "t", s.allocate(8));
        }
        try (SharedSpace s = dir.attach("a", AttachOptions.READ_WRITE)) {
            assertEquals(1, s.metadata().roots().size(), "the failed create left the space as it was");
        }
        assertEquals(SpaceException.Reason.NOT_FOUND,
                assertThrows(SpaceException.class, () -> dir.attach("nope", AttachOptions.READ_WRITE)).reason());
        assertThrows(IllegalArgumentException.class, () -> dir.create("b", 1 << 20, 0400));
        assertEquals(1, dir.list().size());
    }

    /**
     * Create skips the fchmod when the umask removes none of the mode's bits: the space's one
     * file must still get exactly the mode asked for, on both paths (0600 and 0700 under the
     * usual 022 take one open; 0666 and 0777 need the fchmod).
     */
    @Test
    void theSpaceFileGetsExactlyTheRequestedModeWhateverTheUmask() throws Exception {
        Path probe = Files.createFile(tmp.resolve("probe"));   // 0666 less the umask, as the JDK creates it
        assertEquals(0666 & ~SpaceSyscalls.umask(), (int) Files.getAttribute(probe, "unix:mode") & 0777,
                "the umask read from /proc/self/status is 0" + Integer.toOctalString(SpaceSyscalls.umask()));
        Files.delete(probe);
        for (int mode : new int[] {0600, 0700, 0640, 0666, 0777}) {
            String name = "m" + Integer.toOctalString(mode);
            dir.create(name, 1 << 20, mode).close();
            try (var files = Files.list(tmp)) {
                List<Path> mine = files.filter(f -> f.getFileName().toString().startsWith(name + ".")).toList();
                assertEquals(List.of(tmp.resolve(name + ".space")), mine, "header and segment in one file");
                for (Path f : mine) {
                    assertEquals(mode, (int) Files.getAttribute(f, "unix:mode") & 0777, f + " with umask 0"
                            + Integer.toOctalString(SpaceSyscalls.umask()));
                }
            }
            assertEquals(mode, dir.inspect(name).metadata().mode());
            dir.delete(name, false);
        }
    }

    @Test
    void listingAndDeletingLeaveTheSegmentsOfADottedNameAlone() throws Exception {
        dir.create("orders", 1 << 20, 0600).close();
        long address;
        try (SharedSpace v2 = dir.create("orders.v2", 1 << 20, 0600)) {
            address = v2.allocate(8);
            v2.setRoot("x", "t", address);
        }
        assertEquals(2, dir.list().size());
        dir.delete("orders", false);
        try (SharedSpace v2 = dir.attach("orders.v2", AttachOptions.READ_ONLY)) {
            assertEquals(address, v2.root("x", "t"));
        }
        assertEquals(List.of("orders.v2"), dir.list().stream().map(i -> i.metadata().name()).toList());
    }

    @Test
    void readOnlyAttacherCannotWrite() {
        dir.create("ro", 1 << 20, 0600).close();
        try (SharedSpace s = dir.attach("ro", AttachOptions.READ_ONLY)) {
            assertEquals(SpaceException.Reason.READ_ONLY, assertThrows(SpaceException.class, () -> s.allocate(8)).reason());
            assertEquals(SpaceException.Reason.READ_ONLY,
                    assertThrows(SpaceException.class, () -> s.setRoot("x", "t", 0)).reason());
            MemorySegment seg = s.segment();
            assertThrows(IllegalArgumentException.class, () -> seg.set(JAVA_LONG, 4096, 1L));   // JDK: read-only segment
        }
    }

    @Test
    void capacityExceededIsAClearErrorAndTheHeapStaysUsable() {
        try (SharedSpace s = dir.create("small", 64 * 1024, 0600)) {
            HeapExhaustedException e = assertThrows(HeapExhaustedException.class, () -> s.allocate(1 << 20));
            assertTrue(e.getMessage().contains("1048576"), e.getMessage());
            s.free(s.allocate(100));
            s.heap().check();
        }
    }

    @Test
    void addressTakenFailsClearlyOrRelocates() {
        try (SharedSpace first = dir.create("fixed", 1 << 20, 0600)) {
            long p = rootedLong(first, 7L);
            // in this process the fixed address is taken by `first` itself
            SpaceException e = assertThrows(SpaceException.class, () -> dir.attach("fixed", AttachOptions.READ_WRITE));
            assertEquals(SpaceException.Reason.ADDRESS_TAKEN, e.reason());
            assertTrue(e.getMessage().contains("0x" + Long.toHexString(first.segment().address())), e.getMessage());
            try (SharedSpace reloc = dir.attach("fixed", AttachOptions.READ_WRITE.withReloc())) {
                assertTrue(reloc.relocated());
                long q = reloc.root("p", "long");
                assertEquals(7L, reloc.segment().get(JAVA_LONG, reloc.offsetOf(q)), "pointer translated");
                reloc.segment().set(JAVA_LONG, reloc.offsetOf(q), 8L);
                assertEquals(8L, first.segment().get(JAVA_LONG, first.offsetOf(p)), "same memory");
            }
        }
    }

    @Test
    void mappedAnywhereReadsAndWritesTheSameMemoryAndReadOnlyStaysReadOnly() {
        try (SharedSpace first = dir.create("anywhere", 1 << 20, 0600)) {
            long p = rootedLong(first, 7L);
            try (SharedSpace rw = dir.attach("anywhere", AttachOptions.READ_WRITE.mappedAnywhere());
                 SharedSpace ro = dir.attach("anywhere", AttachOptions.READ_ONLY.mappedAnywhere())) {
                assertTrue(rw.relocated() && ro.relocated());
                long q = ro.root("p", "long");
                assertEquals(p, q, "the same canonical pointer");
                assertEquals(7L, ro.segment().get(JAVA_LONG, ro.offsetOf(q)), "pointer translated");
                rw.segment().set(JAVA_LONG, rw.offsetOf(q), 8L);
                assertEquals(8L, first.segment().get(JAVA_LONG, first.offsetOf(p)), "same memory");
                assertEquals(8L, ro.segment().get(JAVA_LONG, ro.offsetOf(q)));
                assertThrows(IllegalArgumentException.class, () -> ro.segment().set(JAVA_LONG, ro.offsetOf(q), 9L));
                assertEquals(SpaceException.Reason.READ_ONLY,
                        assertThrows(SpaceException.class, () -> ro.allocate(8)).reason());
                assertEquals(List.of(ProcessHandle.current().pid()), dir.inspect("anywhere").attached().stream().distinct().toList(),
                        "the read-write attachments are registered");
            }
        }
    }

    /** A long holding {@code value}, allocated in {@code s} and registered as root "p" of type "long". */
    private static long rootedLong(SharedSpace s, long value) {
        long p = s.allocate(16);
        s.segment().set(JAVA_LONG, s.offsetOf(p), value);
        s.setRoot("p", "long", p);
        return p;
    }

    @Test
    void anotherUsersSpaceAndAnotherVersionAreRefused() throws Exception {
        dir.create("theirs", 1 << 20, 0600).close();
        Path header = dir.spaceFile("theirs");
        Files.setAttribute(header, "unix:uid", 12345);
        SpaceException e = assertThrows(SpaceException.class, () -> dir.attach("theirs", AttachOptions.READ_ONLY));
        assertEquals(SpaceException.Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().contains("uid 12345") && e.getMessage().contains("0600"), e.getMessage());
        Files.setAttribute(header, "unix:uid", 0);
        Files.setAttribute(header, "unix:uid", (int) Files.getAttribute(tmp, "unix:uid"));

        try (FileChannel ch = FileChannel.open(header, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{3, 0, 0, 0}), 8);   // version field
        }
        SpaceException v = assertThrows(SpaceException.class, () -> dir.attach("theirs", AttachOptions.READ_ONLY));
        assertEquals(SpaceException.Reason.VERSION, v.reason());
        assertTrue(v.getMessage().contains("version 3") && v.getMessage().contains("reads version 2"), v.getMessage());
    }

    /**
     * A space of format version 1 (a 12 KiB header file and the segment in a second file) is
     * refused naming both versions, by attach and inspect; a forced delete removes both files.
     */
    @Test
    void aVersion1SpaceIsRefusedNamingBothVersionsAndForceRemovesItsFiles() throws Exception {
        dir.create("old", 1 << 20, 0600).close();
        Path file = dir.spaceFile("old");
        byte[] v1 = java.util.Arrays.copyOf(Files.readAllBytes(file), 12288);   // the same fixed part and slots
        ByteBuffer.wrap(v1).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, 1);
        Files.write(file, v1);
        Path segment = Files.write(tmp.resolve("old.1a2b3c.0.seg"), new byte[4096]);
        for (var attempt : List.<org.junit.jupiter.api.function.Executable>of(
                () -> dir.attach("old", AttachOptions.READ_WRITE), () -> dir.attach("old", AttachOptions.READ_ONLY.mappedAnywhere()),
                () -> dir.inspect("old"), () -> dir.delete("old", false))) {
            SpaceException e = assertThrows(SpaceException.class, attempt);
            assertEquals(SpaceException.Reason.VERSION, e.reason());
            assertTrue(e.getMessage().contains("'old' has format version 1; this Atlas reads version 2")
                    && e.getMessage().contains("rm --force old"), e.getMessage());
        }
        assertTrue(Files.exists(file) && Files.exists(segment), "refusing changed nothing");
        assertEquals(List.of(), dir.list());
        dir.delete("old", true);
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList());
        }
    }

    /**
     * A damaged space file is refused with DAMAGED naming what is wrong, and left in place
     * (its creator finished: it is not taken for an interrupted creation): a wrong magic, both
     * metadata slots damaged, a file shorter or longer than its header says, a damaged heap
     * header in the segment.
     */
    @Test
    void aDamagedSpaceFileIsRefusedNamingTheDamageAndLeftInPlace() throws Exception {
        try (SharedSpace s = dir.create("dmg", 1 << 20, 0600)) {
            s.setRoot("r", "t", s.allocate(8));
        }
        Path file = dir.spaceFile("dmg");
        byte[] good = Files.readAllBytes(file);
        record Damage(String what, byte[] file, String expected) {}
        byte[] magic = good.clone();
        magic[0] ^= 1;
        byte[] slots = good.clone();
        slots[4096 + 20] ^= 1;
        slots[8192 + 20] ^= 1;
        byte[] heap = good.clone();
        heap[12288] ^= 1;   // the heap's magic, at the segment's start
        for (Damage d : List.of(new Damage("magic", magic, "header magic 0x"),
                new Damage("both slots", slots, "neither metadata slot holds a valid version"),
                new Damage("short", java.util.Arrays.copyOf(good, good.length - 4096), "bytes of segment 'main'"),
                new Damage("long", java.util.Arrays.copyOf(good, good.length + 4096), "bytes of segment 'main'"),
                new Damage("shorter than a header", java.util.Arrays.copyOf(good, 100), "shorter than the 12288-byte header"),
                new Damage("heap", heap, "no heap here"))) {
            Files.write(file, d.file());
            for (AttachOptions o : List.of(AttachOptions.READ_WRITE, AttachOptions.READ_ONLY.mappedAnywhere())) {
                SpaceException e = assertThrows(SpaceException.class, () -> dir.attach("dmg", o), d.what());
                assertEquals(SpaceException.Reason.DAMAGED, e.reason(), d.what() + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("'dmg'") && e.getMessage().contains(d.expected()),
                        d.what() + ": " + e.getMessage());
            }
            // byte for byte, so a failed read-write attach also left no entry in the attached table
            assertTrue(java.util.Arrays.equals(d.file(), Files.readAllBytes(file)), d.what() + ": left as it was");
        }
        Files.write(file, good);
        try (SharedSpace s = dir.attach("dmg", AttachOptions.READ_ONLY)) {
            assertEquals(java.util.Set.of("r"), s.metadata().roots().keySet());
        }
    }

    @Test
    void aTornMetadataUpdateReadsAsThePreviousVersion() throws Exception {
        try (SharedSpace s = dir.create("torn", 1 << 20, 0600)) {
            s.setRoot("one", "t", s.allocate(8));
            s.setRoot("two", "t", s.allocate(8));   // seq 3 in slot A (create wrote seq 1 in B? either way)
        }
        Path header = dir.spaceFile("torn");
        // damage the newest slot's payload, as a writer dying mid-update would
        try (FileChannel ch = FileChannel.open(header, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer a = ByteBuffer.allocate(8), b = ByteBuffer.allocate(8);
            ch.read(a, 4096);
            ch.read(b, 8192);
            long sa = a.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            long sb = b.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xff}), (sa > sb ? 4096 : 8192) + 20);
        }
        try (SharedSpace s = dir.attach("torn", AttachOptions.READ_WRITE)) {
            assertEquals(java.util.Set.of("one"), s.metadata().roots().keySet());
            s.setRoot("three", "t", s.allocate(8));   // and updates go on from there
            assertEquals(java.util.Set.of("one", "three"), s.metadata().roots().keySet());
        }
    }

    @Test
    void switchingIsPerThread() throws Exception {
        try (SharedSpace a = dir.create("sa", 1 << 20, 0600); SharedSpace b = dir.create("sb", 1 << 20, 0600)) {
            assertFalse(CurrentSpace.isSet());
            CurrentSpace.run(a, () -> {
                assertEquals("sa", CurrentSpace.get().name());
                String[] seen = new String[3];
                Thread t = Thread.ofPlatform().start(() -> {
                    seen[0] = String.valueOf(CurrentSpace.isSet());   // not inherited
                    CurrentSpace.run(b, () -> seen[1] = CurrentSpace.get().name());
                    seen[2] = String.valueOf(CurrentSpace.isSet());
                });
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                assertEquals(java.util.List.of("false", "sb", "false"), java.util.Arrays.asList(seen));
                assertEquals("sa", CurrentSpace.get().name());   // the other thread's switch left this one alone
                CurrentSpace.run(b, () -> assertEquals("sb", CurrentSpace.get().name()));
                assertEquals("sa", CurrentSpace.get().name());
                assertThrows(IllegalStateException.class, () -> CurrentSpace.run(b, () -> {
                    throw new IllegalStateException("body failed");
                }));
                assertEquals("sa", CurrentSpace.get().name());   // restored after the exception
            });
            assertThrows(java.util.NoSuchElementException.class, CurrentSpace::get);
            assertThrows(NullPointerException.class, () -> CurrentSpace.run(null, () -> { }));
            assertFalse(CurrentSpace.isSet());
        }
    }
}

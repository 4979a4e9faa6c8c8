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
     * Create skips the fchmod when the umask removes none of the mode's bits: both files must
     * still get exactly the mode asked for, on both paths (0600 and 0700 under the usual 022
     * take one open each; 0666 and 0777 need the fchmod).
     */
    @Test
    void bothFilesGetExactlyTheRequestedModeWhateverTheUmask() throws Exception {
        Path probe = Files.createFile(tmp.resolve("probe"));   // 0666 less the umask, as the JDK creates it
        assertEquals(0666 & ~SpaceSyscalls.umask(), (int) Files.getAttribute(probe, "unix:mode") & 0777,
                "the umask read from /proc/self/status is 0" + Integer.toOctalString(SpaceSyscalls.umask()));
        Files.delete(probe);
        for (int mode : new int[] {0600, 0700, 0640, 0666, 0777}) {
            String name = "m" + Integer.toOctalString(mode);
            dir.create(name, 1 << 20, mode).close();
            try (var files = Files.list(tmp)) {
                List<Path> mine = files.filter(f -> f.getFileName().toString().startsWith(name + ".")).toList();
                assertEquals(2, mine.size(), mine.toString());   // header and segment
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
        Path header = dir.headerPath("theirs");
        Files.setAttribute(header, "unix:uid", 12345);
        SpaceException e = assertThrows(SpaceException.class, () -> dir.attach("theirs", AttachOptions.READ_ONLY));
        assertEquals(SpaceException.Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().contains("uid 12345") && e.getMessage().contains("0600"), e.getMessage());
        Files.setAttribute(header, "unix:uid", 0);
        Files.setAttribute(header, "unix:uid", (int) Files.getAttribute(tmp, "unix:uid"));

        try (FileChannel ch = FileChannel.open(header, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{2, 0, 0, 0}), 8);   // version field
        }
        SpaceException v = assertThrows(SpaceException.class, () -> dir.attach("theirs", AttachOptions.READ_ONLY));
        assertEquals(SpaceException.Reason.VERSION, v.reason());
        assertTrue(v.getMessage().contains("version 2"), v.getMessage());
    }

    @Test
    void aTornMetadataUpdateReadsAsThePreviousVersion() throws Exception {
        try (SharedSpace s = dir.create("torn", 1 << 20, 0600)) {
            s.setRoot("one", "t", s.allocate(8));
            s.setRoot("two", "t", s.allocate(8));   // seq 3 in slot A (create wrote seq 1 in B? either way)
        }
        Path header = dir.headerPath("torn");
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

package dev.atlas.spaces;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Fuzz tests of what {@code atlas spaces list|inspect} and an attacher read from files another
 * process wrote: the header file of a space (magic, version, lock, attached table, the two
 * metadata slots) and the metadata in a slot (name, id, owner, mode, segments with their
 * fixed addresses and sizes, root names and types). A space whose files are damaged may only
 * be refused with a {@link SpaceException} naming it; anything else escaping (or a crash of
 * the JVM) is a finding.
 *
 * <p>Regression mode in every build (inputs under
 * {@code src/test/resources/dev/atlas/spaces/SpaceFilesFuzzTestInputs/<method>/}); a fuzzing
 * run, one method at a time:
 * {@snippet lang=shell :
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl atlas-spaces -am verify -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='SpaceFilesFuzzTest#metadataSlot'
 * }
 */
class SpaceFilesFuzzTest {
    private static final String NAME = "fuzzed";
    @TempDir
    static Path tmp;
    private static SpaceDirectory dir;
    private static byte[] header;
    private static Path segment;
    private static byte[] segmentBytes;
    /** {@code list()} logs each unreadable space: off, or the log costs more than the parsing. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.atlas.spaces");

    /**
     * A space as another process left it: a formatted segment, and the committed header of
     * {@code headerFile/real-header} (a 64 KiB space with two roots), whose space id names the
     * segment file.
     */
    @BeforeAll
    static void setUp() throws IOException {
        QUIET.setLevel(java.util.logging.Level.OFF);
        dir = SpaceDirectory.at(tmp);
        dir.create(NAME, 64 * 1024, 0600).close();
        Path created;
        try (Stream<Path> files = Files.list(tmp)) {
            created = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (var in = SpaceFilesFuzzTest.class.getResourceAsStream("SpaceFilesFuzzTestInputs/headerFile/real-header")) {
            header = in.readAllBytes();
        }
        ByteBuffer slot = ByteBuffer.wrap(header, 4096, 4096).order(ByteOrder.nativeOrder());
        slot.position(4096 + 16);
        slot.position(slot.position() + 2 + slot.order(ByteOrder.BIG_ENDIAN).getShort(slot.position()));
        long spaceId = slot.getLong();
        segment = tmp.resolve(NAME + "." + Long.toHexString(spaceId) + ".0.seg");
        Files.move(created, segment);
        segmentBytes = Files.readAllBytes(segment);
        Files.write(dir.headerPath(NAME), header);
        if (dir.inspect(NAME).metadata().roots().size() != 2) {
            throw new AssertionError("the template space does not read back");
        }
    }

    /** The whole header file as another process (or a disk error) left it. */
    @FuzzTest(maxDuration = "10m")
    void headerFile(byte[] file) throws IOException {
        readAsEveryToolDoes(file);
    }

    /**
     * The metadata of the newest slot, with a valid checksum and sequence: what a buggy or
     * hostile writer holding the space's lock can put there.
     */
    @FuzzTest(maxDuration = "10m")
    void metadataSlot(byte[] payload) throws IOException {
        if (payload.length > 4096 - 16) {
            return;   // the slot cannot hold it; a longer length field is covered by headerFile
        }
        byte[] file = header.clone();
        Arrays.fill(file, 4096, file.length, (byte) 0);   // slot 1 empty: slot 0 is all there is
        ByteBuffer slot = ByteBuffer.wrap(file, 4096, 4096).order(ByteOrder.nativeOrder());
        long seq = 7;
        CRC32C crc = new CRC32C();
        crc.update(payload);
        for (int i = 0; i < 8; i++) {
            crc.update((int) (seq >>> (8 * i)));
        }
        slot.putLong(seq).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        readAsEveryToolDoes(file);
    }

    private static void readAsEveryToolDoes(byte[] headerFile) throws IOException {
        Files.write(dir.headerPath(NAME), headerFile);
        Files.write(segment, segmentBytes);
        try {
            SpaceInfo info = dir.inspect(NAME);
            info.size();
        } catch (SpaceException refused) {
            // damaged: refused, naming the space
        }
        dir.list();   // logs what it cannot read, throws nothing
        try (SharedSpace s = dir.attach(NAME, AttachOptions.READ_ONLY.withReloc())) {
            for (var root : s.metadata().roots().entrySet()) {
                long address = s.root(root.getKey(), root.getValue().type());
                try {
                    s.offsetOf(address);
                } catch (IndexOutOfBoundsException outside) {
                    // documented: a root address outside the segment is refused by offsetOf
                }
            }
        } catch (SpaceException refused) {
            // damaged: refused, naming the space
        }
    }
}

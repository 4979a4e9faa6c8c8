package dev.atlas.spaces;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.atlas.spaces.format.SpaceHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Fuzz tests of what {@code atlas spaces list|inspect} and an attacher read from a space file
 * another process wrote: its header (magic, version, lock, attached table, the two metadata
 * slots), the metadata in a slot (name, id, owner, mode, segments with their fixed addresses
 * and sizes, root names and types), the file's size against the header, and the heap's header
 * at the start of the segment. A space whose file is damaged may only be refused with a
 * {@link SpaceException} naming it; anything else escaping (or a crash of the JVM) is a
 * finding.
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
    private static final int HEADER = (int) SpaceHeader.BYTES;
    @TempDir
    static Path tmp;
    private static SpaceDirectory dir;
    private static byte[] header;
    private static byte[] segment;
    /** {@code list()} logs each unreadable space: off, or the log costs more than the parsing. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.atlas.spaces");

    /**
     * A space as another process left it: the committed header of
     * {@code headerFile/real-header} (a 64 KiB space with two roots) followed by the segment of
     * a 64 KiB space created here (its heap formatted).
     */
    @BeforeAll
    static void setUp() throws IOException {
        QUIET.setLevel(java.util.logging.Level.OFF);
        dir = SpaceDirectory.at(tmp);
        dir.create(NAME, 64 * 1024, 0600).close();
        byte[] created = Files.readAllBytes(dir.spaceFile(NAME));
        segment = Arrays.copyOfRange(created, HEADER, created.length);
        try (var in = SpaceFilesFuzzTest.class.getResourceAsStream("SpaceFilesFuzzTestInputs/headerFile/real-header")) {
            header = in.readAllBytes();
        }
        write(header, segment);
        if (dir.inspect(NAME).metadata().roots().size() != 2) {
            throw new AssertionError("the template space does not read back");
        }
    }

    /**
     * The header as another process (or a disk error) left it: shorter than a header, the
     * file is these bytes alone; else the segment follows the first {@value HEADER}
     * bytes and the rest comes after it (a file longer than the header says).
     */
    @FuzzTest(maxDuration = "10m")
    void headerFile(byte[] bytes) throws IOException {
        if (bytes.length < HEADER) {
            readAsEveryToolDoes(bytes, new byte[0]);
        } else {
            byte[] rest = new byte[segment.length + bytes.length - HEADER];
            System.arraycopy(segment, 0, rest, 0, segment.length);
            System.arraycopy(bytes, HEADER, rest, segment.length, bytes.length - HEADER);
            readAsEveryToolDoes(Arrays.copyOf(bytes, HEADER), rest);
        }
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
        readAsEveryToolDoes(file, segment);
    }

    /** The first bytes of the segment (the heap's header: magic, capacity, data start, top, free lists). */
    @FuzzTest(maxDuration = "10m")
    void segmentStart(byte[] bytes) throws IOException {
        byte[] seg = segment.clone();
        System.arraycopy(bytes, 0, seg, 0, Math.min(bytes.length, 4096));
        readAsEveryToolDoes(header, seg);
    }

    private static void write(byte[] headerBytes, byte[] rest) throws IOException {
        byte[] file = Arrays.copyOf(headerBytes, headerBytes.length + rest.length);
        System.arraycopy(rest, 0, file, headerBytes.length, rest.length);
        Files.write(dir.spaceFile(NAME), file);
    }

    private static void readAsEveryToolDoes(byte[] headerBytes, byte[] rest) throws IOException {
        write(headerBytes, rest);
        try {
            SpaceInfo info = dir.inspect(NAME);
            info.size();
        } catch (SpaceException refused) {
            // damaged: refused, naming the space
        }
        dir.list();   // logs what it cannot read, throws nothing
        for (AttachOptions options : new AttachOptions[] {AttachOptions.READ_ONLY.withReloc(),
                AttachOptions.READ_ONLY.mappedAnywhere()}) {
            if (!Files.exists(dir.spaceFile(NAME))) {
                write(headerBytes, rest);   // list() removed it as a creation that died (no magic, creator dead)
            }
            try (SharedSpace s = dir.attach(NAME, options)) {
                for (var root : s.metadata().roots().entrySet()) {
                    long address = s.root(root.getKey(), root.getValue().type());
                    try {
                        s.offsetOf(address);
                    } catch (IndexOutOfBoundsException outside) {
                        // documented: a root address outside the segment is refused by offsetOf
                    }
                }
                s.heap().used();
            } catch (SpaceException refused) {
                // damaged: refused, naming the space
            }
        }
    }
}

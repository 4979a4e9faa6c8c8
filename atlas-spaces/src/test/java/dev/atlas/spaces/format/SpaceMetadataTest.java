package dev.atlas.spaces.format;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The metadata's direct encoding (ASCII strings written straight into an array) gives the
 * bytes {@link java.io.DataOutputStream} gives, and strings that are not ASCII take the
 * stream and read back the same.
 */
class SpaceMetadataTest {
    @Test
    void directEncodingEqualsTheStreamsForAsciiAndOtherStringsRoundTrip() throws Exception {
        Random r = new Random(20);
        for (int i = 0; i < 2000; i++) {
            boolean ascii = i % 4 != 0;
            List<SpaceMetadata.Segment> segments = new ArrayList<>();
            for (int k = 0, n = 1 + r.nextInt(3); k < n; k++) {
                segments.add(new SpaceMetadata.Segment(string(r, ascii), 4096L * (1 + r.nextInt(1 << 20)),
                        1 + r.nextInt(Integer.MAX_VALUE)));
            }
            Map<String, SpaceMetadata.Root> roots = new LinkedHashMap<>();
            for (int k = 0, n = r.nextInt(4); k < n; k++) {
                roots.put(string(r, ascii), new SpaceMetadata.Root(string(r, ascii), r.nextLong()));
            }
            SpaceMetadata m = new SpaceMetadata(string(r, true), r.nextLong() & Long.MAX_VALUE, r.nextInt(),
                    r.nextInt(01000), segments, roots);
            byte[] direct = m.encode();
            assertArrayEquals(m.encodeThroughStream(), direct, m.toString());
            assertEquals(m, SpaceMetadata.decode(direct));
        }
    }

    /** Up to 12 chars: ASCII 1..127, or with some chars above 127 (two- and three-byte modified UTF-8) and NUL. */
    private static String string(Random r, boolean ascii) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = r.nextInt(13); i < n; i++) {
            b.append(ascii ? (char) (1 + r.nextInt(127)) : (char) r.nextInt(0x3000));
        }
        return b.toString();
    }
}

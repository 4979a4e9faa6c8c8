package dev.atlas.demo.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VersionTagsTest {
    private final VersionTags tags = new VersionTags("v1", "v2");

    @Test
    void allOldAllNewAndMixedTags() {
        assertEquals(TagKind.OLD, tags.classify("v1.v1.v1"));
        assertEquals(TagKind.NEW, tags.classify("v2.v2.v2"));
        assertEquals(TagKind.MIXED, tags.classify("v1.v1.v2"));
        assertEquals(TagKind.MIXED, tags.classify("v2.v1.v1"));
        assertEquals(TagKind.OLD, tags.classify("v1"));
    }

    @Test
    void missingOrForeignTagsAreUnknown() {
        assertEquals(TagKind.UNKNOWN, tags.classify(null));
        assertEquals(TagKind.UNKNOWN, tags.classify(""));
        assertEquals(TagKind.UNKNOWN, tags.classify("v1.v3.v1"));
        assertEquals(TagKind.UNKNOWN, tags.classify("v1..v1"));
        assertEquals(TagKind.UNKNOWN, tags.classify("v1.v1."));
        assertEquals(TagKind.UNKNOWN, tags.classify("v12.v1"));
        assertEquals(TagKind.UNKNOWN, tags.classify("v"));
    }

    @Test
    void badPartsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new VersionTags("v1", "v1"));
        assertThrows(IllegalArgumentException.class, () -> new VersionTags("", "v2"));
        assertThrows(IllegalArgumentException.class, () -> new VersionTags("v1", "v.2"));
        assertThrows(IllegalArgumentException.class, () -> new VersionTags(null, "v2"));
    }

    @Test
    void tagCountsAddUpPerKind() {
        TagCounts c = TagCounts.ZERO.plus(TagKind.OLD).plus(TagKind.OLD).plus(TagKind.MIXED).plus(TagKind.NEW)
                .plus(TagKind.UNKNOWN);
        assertEquals(new TagCounts(2, 1, 1, 1), c);
        assertEquals(5, c.total());
        assertEquals(2, c.of(TagKind.OLD));
        assertEquals(new TagCounts(4, 2, 2, 2), c.plus(c));
    }
}

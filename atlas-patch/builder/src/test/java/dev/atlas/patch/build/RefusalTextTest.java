package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a refusal says: classes the new build adds by their own names. */
class RefusalTextTest {
    @Test
    void anAddedClassIsNamedByItsOwnName() {
        Refusal r = new Refusal("a/B", "m (La/C$$AtlasPatch$00000000;)V",
                "superclass changed from java/lang/Object to a/C$$AtlasPatch$0123abcd");
        assertEquals("superclass changed from java/lang/Object to a/C", r.reason());
        assertEquals("m (La/C;)V", r.member());
    }

    @Test
    void otherDollarsStay() {
        Refusal r = new Refusal("a/B$1", "", "interfaces changed from [] to [a/I$Inner]");
        assertEquals("interfaces changed from [] to [a/I$Inner]", r.reason());
    }
}

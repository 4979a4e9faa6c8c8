package dev.atlas.patch.format;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StaticStateSummaryTest {
    @Test
    void resourceLinesAreCutAsSplitAtNewlineCutsThem() {
        for (String text : List.of("a", "a\n", "a\nb", "a\n\nb\n\n", "\na", "\n", "a b\nc")) {
            assertEquals(List.of(text.split("\n")), StaticStateSummary.nonEmptyLines(text),
                    "'" + text.replace("\n", "\\n") + "'");
        }
        // split gives [""] for "" (no match: the whole text); no line at all is what the summary means
        assertEquals(List.of(), StaticStateSummary.nonEmptyLines(""));
    }

    @Test
    void moreThanThreeNamesAreAbbreviatedWithTheirCount() {
        assertEquals("a, b, c", StaticStateSummary.abbreviate(List.of("a", "b", "c")));
        assertEquals("a, b, c, ... (4)", StaticStateSummary.abbreviate(List.of("a", "b", "c", "d")));
    }

    @Test
    void whatCodeOutsideThePatchReadsIsSaidForEveryClassWithViewStatics() {
        ClassPatch c = new ClassPatch("p/Lookups", "%064x".formatted(1), "%064x".formatted(2), List.of(),
                List.of(new FieldAddition(StaticStateSummary.VIEW_COPY_PREFIX + "INSTANCE", "Ljava/lang/Object;", true, "init$atlas$view$INSTANCE")),
                java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of("p.Lookups$$AtlasPatch$01234567"),
                        cb -> { }), null);
        List<String> lines = StaticStateSummary.lines(new Patch(1, "0123456789abcdef", "", List.of(c), List.of()));
        assertEquals(2, lines.size(), lines::toString);
        assertEquals("    code outside the patch: a class loaded after the apply (the new release's own tests, say) that "
                + "reads p.Lookups.INSTANCE gets the new view's value in the new view and the running one elsewhere; "
                + "classes loaded before the apply, lambda objects created before it, reflection (Field.get), method "
                + "handles and writes reach the running field", lines.get(1));
    }
}

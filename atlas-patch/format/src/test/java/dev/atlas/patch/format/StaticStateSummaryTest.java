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
}

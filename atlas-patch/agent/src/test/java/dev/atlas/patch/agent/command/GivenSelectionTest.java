package dev.atlas.patch.agent.command;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GivenSelectionTest {
    private final ClassLoader app = new ClassLoader("app", null) {};

    @Test
    void includesWidenWithTheirExcludesAndTheOtherOptionsAreNamedAsIgnored() {
        GivenSelection g = GivenSelection.parse("include=com.acme.**,exclude=com.acme.gen.**,boundary=a.B#c,warmup=false,");
        assertTrue(g.selector().selects("com/acme/Foo", app) && !g.selector().selects("com/acme/gen/Foo", app));
        assertEquals(List.of("com.acme.gen.**"), g.excludes());
        assertEquals("; the options given for boundary, warmup are ignored (they are set when the agent installs)",
                g.ignored());
    }

    @Test
    void noIncludeWidensNothingAndAnExcludeAloneIsIgnored() {
        assertNull(GivenSelection.parse(null).selector());
        assertEquals("", GivenSelection.parse("").ignored());
        GivenSelection g = GivenSelection.parse("exclude=com.acme.**");
        assertNull(g.selector());
        assertTrue(g.ignored().contains("exclude (without include: a selection is widened, never narrowed)"), g.ignored());
    }

    @Test
    void malformedOptionsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GivenSelection.parse("include=com/acme/Foo"));
        assertTrue(e.getMessage().contains("com/acme/Foo"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GivenSelection.parse("includ=x"));
    }
}

package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandChannel;
import dev.atlas.patch.agent.command.CommandReply;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTimingsTest {
    @Test
    void theLaunchersClockIsReadAsMillisecondsAndAnythingElseIsUnknown() {
        assertEquals(1_796_649_924_403L, CommandTimings.execAt("1796649924.403123"));
        assertEquals(1_796_649_924_403L, CommandTimings.execAt("1796649924,403123"));   // a locale's decimal comma
        assertEquals(-1, CommandTimings.execAt(null));
        assertEquals(-1, CommandTimings.execAt(""));
        assertEquals(-1, CommandTimings.execAt("soon"));
    }

    @Test
    void theAgentsSideIsSplitOffOnlyWhenItSaysWhenItBeganWithinTheLoadCall() {
        CommandTimings t = new CommandTimings();
        t.checked();
        t.attached();
        long entered = System.currentTimeMillis();
        t.loadReturned();
        t.replied();
        String known = t.render(new CommandReply(CommandReply.Status.OK, Map.of(CommandChannel.ENTERED_FIELD,
                Long.toString(entered), "install-phases", "select=1.0;retransform=2.0;pipeline=3.0;executors=4.0"), ""));
        assertTrue(known.matches(".*cli-start=-?\\d+ check=\\d+ attach=\\d+ agent-load=\\d+ command=\\d+ reply=\\d+ "
                + "total=\\d+ cpu=\\d+ install: select=1.0;retransform=2.0;pipeline=3.0;executors=4.0"), known);
        String unknown = t.render(new CommandReply(CommandReply.Status.OK, Map.of(CommandChannel.ENTERED_FIELD,
                Long.toString(entered + 3_600_000)), ""));
        assertTrue(unknown.contains(" agent-load=-1 command=-1 ") && !unknown.contains("install:"), unknown);
        String none = t.render(new CommandReply(CommandReply.Status.OK, Map.of(), ""));
        assertTrue(none.contains(" agent-load=-1 command=-1 "), none);
    }
}

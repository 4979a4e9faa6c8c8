package dev.atlas.ulp;

import dev.atlas.ulp.fixtures.Programs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.atlas.ulp.HostFixture.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Stress over the host's routing of the JDK's own uses of {@code System.err} (the forwarding
 * stream {@code SystemStreams} installs, which asks each write's thread for its program):
 * 8 programs at once, each with 4 threads printing stack traces through
 * {@code Throwable.printStackTrace()}, never get a line of another program, and lose none of
 * their own.
 */
class OutputRoutingStressTest {
    private static final Pattern MARKER = Pattern.compile("(?m)^java\\.lang\\.Throwable: marker (\\S+)$");

    private final ProgramHost host = ProgramHost.create();

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void eachProgramGetsOnlyItsOwnStackTraces() throws Exception {
        List<HostFixture.Started> started = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            started.add(HostFixture.start(host, spec(Programs.JdkStreams.class, "p" + p), InputStream.nullInputStream()));
        }
        for (int p = 0; p < started.size(); p++) {
            HostFixture.Run r = started.get(p).await();
            assertEquals(0, r.status(), r.err());
            Matcher m = MARKER.matcher(r.err());
            int mine = 0;
            while (m.find()) {
                assertEquals("p" + p, m.group(1), "program p" + p + " got another program's line");
                mine++;
            }
            assertEquals(4 * 50, mine, "program p" + p + "'s stack traces");
        }
    }
}

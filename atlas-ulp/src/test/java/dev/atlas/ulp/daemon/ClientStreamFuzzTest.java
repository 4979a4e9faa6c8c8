package dev.atlas.ulp.daemon;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import dev.atlas.ulp.protocol.ProtocolException;
import dev.atlas.ulp.protocol.Request;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz test of what a client sends the host over its socket, parsed as {@link HostSession}
 * parses it: the first frame, the {@link Request} in it (command line, environment, working
 * directory), {@code atlas run}'s command line as {@link RunCommand} turns it into a
 * {@link ProgramSpec} (options, properties, class path, main class or jar, arguments), then the
 * stdin frames that follow. A client may only be refused with a {@link ProtocolException}
 * (the session answers "protocol error") or an {@link IllegalArgumentException} naming the
 * mistake (the session answers with the usage); anything else escaping is a finding. What
 * decodes must encode back to the same request.
 *
 * <p>Regression mode in every build (inputs under
 * {@code src/test/resources/dev/atlas/ulp/daemon/ClientStreamFuzzTestInputs/clientStream/});
 * a fuzzing run:
 * {@snippet lang=shell :
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl atlas-ulp -am verify -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='ClientStreamFuzzTest'
 * }
 */
class ClientStreamFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void clientStream(byte[] stream) throws IOException {
        InputStream in = new ByteArrayInputStream(stream);
        try {
            Frame first = Frame.read(in);
            if (first == null || first.type() != FrameType.REQUEST) {
                return;   // the session ends, or answers "expected a REQUEST frame first"
            }
            Request r = Request.decode(first.payload());
            assertEquals(r, Request.decode(r.encode()), "a decoded request must encode back to itself");
            if (!r.args().isEmpty() && r.args().getFirst().equals("run")) {
                try {
                    ProgramSpec spec = RunCommand.parse(r.args().subList(1, r.args().size()), Path.of(r.cwd()), r.env());
                    spec.commandLine();
                } catch (IllegalArgumentException refused) {
                    // "atlas run: <mistake>" and the usage
                }
            }
            while (Frame.read(in) != null) {
                // stdin frames (a wrong type ends the program's input; the session checks it)
            }
        } catch (ProtocolException refused) {
            // "atlas host: protocol error: ..."
        }
    }
}

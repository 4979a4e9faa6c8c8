package dev.atlas.patch.agent.command;

import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchFileTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent applies the patch file's size limits itself, whatever the CLI checked. */
class OversizedPatchTest {
    @TempDir
    Path tmp;

    @Test
    void theAgentRefusesAnOversizedPatchItself() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("cmd"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path patch = tmp.resolve("oversized.atlaspatch");
        PatchFile.write(PatchFileTest.samplePatch("x".repeat(PatchFile.MAX_DESCRIPTION_CHARS + 1)), patch);
        CommandRequest.apply(patch, Duration.ofSeconds(1), null, null).write(dir);
        CommandChannel.run(CommandChannel.agentArgs(CommandRequest.Verb.APPLY, dir), null);
        CommandReply r = CommandReply.read(dir.resolve(CommandReply.FILE));
        assertEquals(CommandReply.Status.REFUSED, r.status(), r::toString);
        assertTrue(r.text().contains("MAX_DESCRIPTION_CHARS"), r::toString);
    }
}

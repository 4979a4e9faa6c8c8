package dev.atlas.patch.agent.command;

import dev.atlas.patch.agent.install.AgentInstaller;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The request and reply files of the command channel, and the directory check. */
class CommandFilesTest {
    @TempDir
    Path tmp;

    private Path privateDir(String name) throws Exception {
        return Files.createDirectory(tmp.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Test
    void requestRoundTrips() throws Exception {
        Path dir = privateDir("req");
        CommandRequest r = CommandRequest.apply(dir.resolve("patch, with comma.atlaspatch"), Duration.ofMillis(1500),
                dir.resolve("keys.p12"), "pä=ss\nword");
        r.write(dir);
        assertEquals(r, CommandRequest.read(dir));
        CommandRequest scoped = CommandRequest.apply(dir.resolve("p.atlaspatch"), Duration.ofSeconds(2), null, null,
                "program-7");
        scoped.write(dir);
        assertEquals(scoped, CommandRequest.read(dir));
        assertEquals("program-7", CommandRequest.read(dir).loader());
        CommandRequest a = CommandRequest.attach("include=com.acme.**;org.x.*,boundary=none");
        a.write(dir);
        assertEquals(a, CommandRequest.read(dir));
        assertFalse(r.toString().contains("word"), "the password never appears in logs");
    }

    @Test
    void badRequestsNameTheProblem() throws Exception {
        Path dir = privateDir("bad");
        Files.writeString(dir.resolve(CommandRequest.FILE), "command=reboot\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandRequest.read(dir));
        assertTrue(e.getMessage().contains("'reboot'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandRequest.apply(null, Duration.ZERO, null, null));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> CommandRequest.apply(dir.resolve("p"), Duration.ZERO, null, null, " "));
        assertTrue(blank.getMessage().contains("class loader ' '"), blank.getMessage());
    }

    @Test
    void replyRoundTripsAndKeepsFieldsOnOneLine() throws Exception {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("patch", "0123456789abcdef");
        f.put("stragglers", "worker-1,worker\n2");
        CommandReply r = new CommandReply(CommandReply.Status.TIMEOUT, f, "line 1\n\nline 3 = x\n");
        Path dir = privateDir("reply");
        r.write(dir);
        CommandReply back = CommandReply.read(dir.resolve(CommandReply.FILE));
        assertEquals(CommandReply.Status.TIMEOUT, back.status());
        assertEquals("worker-1,worker 2", back.field("stragglers"));
        assertEquals(r, back);
        assertThrows(IllegalArgumentException.class, () -> CommandReply.parse("status=ok\n\ntext", "x"));
    }

    @Test
    void theAgentTrustsOnlyAPrivateDirectoryAndAnswersNothingOtherwise() throws Exception {
        Path ok = privateDir("ok");
        assertEquals(java.util.Optional.empty(), CommandChannel.distrust(ok));
        Path open = Files.createDirectory(tmp.resolve("open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertTrue(CommandChannel.distrust(open).orElseThrow().contains("expected rwx------"));
        for (String mode : List.of("rwx-----x", "rwx--x---", "rwx--x--x", "rwx-w----", "rw-------")) {
            Path d = Files.createDirectory(tmp.resolve("mode-" + mode),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode)); // not narrowed by the umask
            assertTrue(CommandChannel.distrust(d).orElseThrow().contains("has mode " + mode), mode);
        }
        Path linkedParent = Files.createSymbolicLink(tmp.resolve("linked-parent"), tmp);
        assertTrue(CommandChannel.distrust(linkedParent.resolve("ok")).orElseThrow().contains("symbolic link in its path"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), ok);
        assertTrue(CommandChannel.distrust(link).orElseThrow().contains("symbolic link"));
        assertTrue(CommandChannel.distrust(Path.of("relative")).isPresent());

        Path secret = privateDir("secret");
        CommandRequest.apply(secret.resolve("p.atlaspatch"), java.time.Duration.ofSeconds(1), secret.resolve("k.p12"),
                "s3cret").write(secret);
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(secret.resolve(CommandRequest.FILE))), "the request may hold a password");

        CommandRequest.status().write(open);
        CommandChannel.run(CommandChannel.agentArgs(CommandRequest.Verb.STATUS, open), null);
        assertFalse(Files.exists(open.resolve(CommandReply.FILE)), "no reply into a directory others can read");
    }

    @Test
    void statusWithoutTheAgentSaysHowToInstallIt() throws Exception {
        assumeTrue(AgentInstaller.installed() == null, "another test installed the agent in this JVM");
        Path dir = privateDir("status");
        CommandRequest.status().write(dir);
        CommandChannel.run(CommandChannel.agentArgs(CommandRequest.Verb.STATUS, dir), null);
        CommandReply r = CommandReply.read(dir.resolve(CommandReply.FILE));
        assertEquals(CommandReply.Status.OK, r.status());
        assertEquals("not-installed", r.field("agent"));
        assertTrue(r.text().contains("atlas attach " + ProcessHandle.current().pid()), r.text());
    }

    @Test
    void replyLinesAreCutAsStringLinesCutsThem() {
        for (String text : List.of("", "a", "a\n", "a\nb", "a\r\nb\r\n", "a\rb", "\n\nx", "a\n\n", "a\r\r\nb")) {
            assertEquals(text.lines().toList(), CommandReply.lines(text), "'" + text.replace("\r", "\\r").replace("\n", "\\n") + "'");
        }
    }
}

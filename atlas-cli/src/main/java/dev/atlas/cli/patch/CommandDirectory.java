package dev.atlas.cli.patch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A private directory (mode 0700) for one command: the request, a copy of the patch, and
 * the agent's reply. Deleted on close, and by a shutdown hook if the CLI is ended (SIGTERM,
 * Ctrl-C) before that.
 *
 * <p>Implementation notes: the name carries the CLI's pid ({@code atlas-cmd-<pid>-XXXX}); a
 * CLI killed outright (SIGKILL) leaves its directory behind, and the next command deletes
 * every such directory of this user whose pid is no longer alive. The path handed to the agent
 * is the real path (no symbolic link on it), which the agent insists on.
 */
final class CommandDirectory implements AutoCloseable {
    private static final String PREFIX = "atlas-cmd-";
    private final Path dir;
    private final Thread cleanup;

    CommandDirectory() throws IOException {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    CommandDirectory(Path tmp) throws IOException {
        Path root = tmp.toRealPath();
        deleteStale(root);
        String prefix = PREFIX + ProcessHandle.current().pid() + "-";
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            dir = Files.createTempDirectory(root, prefix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            dir = Files.createTempDirectory(root, prefix);
        }
        cleanup = new Thread(() -> delete(dir), "atlas-command-directory-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    Path path() {
        return dir;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        delete(dir);
    }

    /** Deletes the directories of CLIs that died without cleaning up (their pid is gone). */
    private static void deleteStale(Path root) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path p : s) {
                ownerPid(p.getFileName().toString())
                        .filter(pid -> ProcessHandle.of(pid).isEmpty() && Files.isWritable(p))
                        .ifPresent(pid -> delete(p));
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: another user's or an unreadable directory stays
        }
    }

    /** The pid in {@code atlas-cmd-<pid>-XXXX}, if the name has that form. */
    static Optional<Long> ownerPid(String name) {
        int end = name.indexOf('-', PREFIX.length());
        if (!name.startsWith(PREFIX) || end < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(name.substring(PREFIX.length(), end)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // a leftover directory in /tmp is private, and the next command deletes it
        }
    }
}

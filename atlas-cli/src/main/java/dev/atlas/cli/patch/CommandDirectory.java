package dev.atlas.cli.patch;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private directory (mode 0700) for one command: the request, a copy of the patch, and
 * the agent's reply. Deleted on close.
 */
final class CommandDirectory implements AutoCloseable {
    private final Path dir;

    CommandDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            dir = Files.createTempDirectory(tmp, "atlas-cmd-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            dir = Files.createTempDirectory(tmp, "atlas-cmd-");
        }
    }

    Path path() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover directory in /tmp is harmless (and private)
        }
    }
}

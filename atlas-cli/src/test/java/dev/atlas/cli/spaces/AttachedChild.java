package dev.atlas.cli.spaces;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.nio.file.Path;

/** A child JVM for {@link SpacesCommandIT}: attaches space args[1] of directory args[0] read-write, says so, and waits for stdin to close. */
public final class AttachedChild {
    private AttachedChild() {}

    public static void main(String[] args) throws Exception {
        try (SharedSpace s = SpaceDirectory.at(Path.of(args[0])).attach(args[1], AttachOptions.READ_WRITE)) {
            System.out.println("attached " + s.name());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent
            }
        }
    }
}

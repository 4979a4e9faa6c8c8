package dev.atlas.spaces;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM for {@link CreationCrashIT}: creates space {@code args[1]} in directory
 * {@code args[0]} and, right after create's step {@code args[2]}, prints {@code at STEP} and
 * waits on its standard input, where the parent kills it with SIGKILL.
 */
public final class CreateStepChild {
    private CreateStepChild() {}

    public static void main(String[] args) {
        SpaceDirectory.CreateStep stop = SpaceDirectory.CreateStep.valueOf(args[2]);
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0])).reportingCreateSteps(step -> {
            if (step == stop) {
                System.out.println("at " + step);
                System.out.flush();
                try {
                    System.in.read();   // the parent never writes: blocks until killed
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        dir.create(args[1], 1L << 30, 0600);
        System.out.println("created without stopping");
    }
}

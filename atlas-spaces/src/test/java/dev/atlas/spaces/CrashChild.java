package dev.atlas.spaces;

import dev.atlas.spaces.sync.RobustLock;

import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A child JVM for {@link CrashIT}: attaches the space and, forever, allocates and frees
 * blocks and, under the space's robust lock, increments a pair of counters that must stay
 * equal (recording the intent first), printing a line per round. The parent kills it with
 * SIGKILL at a random round.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0]));
        try (SharedSpace s = dir.attach(args[1], AttachOptions.READ_WRITE)) {
            long pair = s.root("pair", "long[2]");
            long off = s.offsetOf(pair);
            RobustLock lock = s.lock();
            java.util.Random r = new java.util.Random();
            for (long i = 0; ; i++) {
                long p = s.allocate(1 + r.nextInt(300));
                if (r.nextBoolean()) s.free(p);
                try (RobustLock.Held held = lock.lock()) {
                    if (held.previousOwnerDied() && held.deadOwnerIntent() == 1) {
                        // the dead holder may have incremented the first counter only: repair
                        s.segment().set(JAVA_LONG, off + 8, s.segment().get(JAVA_LONG, off));
                    }
                    held.intent(1);
                    s.segment().set(JAVA_LONG, off, s.segment().get(JAVA_LONG, off) + 1);
                    s.segment().set(JAVA_LONG, off + 8, s.segment().get(JAVA_LONG, off + 8) + 1);
                }
                System.out.println("round " + i);
                System.out.flush();
            }
        }
    }
}

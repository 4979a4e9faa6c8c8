package dev.atlas.spaces;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A child JVM of {@link DeleteRaceIT}: {@code THREADS} threads that, for {@code ITERATIONS}
 * each, create, attach read-write or delete (without force) one space name that the other
 * children use at once. Prints {@code ok} when done, or {@code violation: ...} for each
 * broken rule:
 * <ul>
 *   <li>every refusal is a {@link SpaceException} with a reason the race allows: EXISTS
 *       (create), NOT_FOUND, BUSY (delete), DAMAGED "still in progress" (attach during a
 *       creation), ADDRESS_TAKEN (attach while another thread here has the space mapped);</li>
 *   <li>while this process holds the space (created, or attached read-write: registered in
 *       its attached table), no other process's delete may remove it: the name still names
 *       the space with its id (checked unless a thread of this process deleted meanwhile,
 *       which delete allows for its own process);</li>
 *   <li>the space holds what the holder wrote.</li>
 * </ul>
 */
public final class DeleteRaceChild {
    /**
     * Deletes started by threads of this process, and those still running: a holder's check
     * skips a round in which one ran (delete may remove a space its own process holds).
     */
    private static final AtomicLong OWN_DELETES = new AtomicLong();
    private static final AtomicInteger OWN_DELETES_RUNNING = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0]));
        String name = args[1];
        int iterations = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < iterations; i++) round(dir, name);
            });
        }
        for (Thread t : ts) t.join();
        System.out.println("ok");
    }

    static void round(SpaceDirectory dir, String name) {
        int op = ThreadLocalRandom.current().nextInt(3);
        boolean ownDeleteRunning = OWN_DELETES_RUNNING.get() > 0;
        long deletesBefore = OWN_DELETES.get();
        SharedSpace s = null;
        try {
            if (op == 2) {
                OWN_DELETES_RUNNING.incrementAndGet();
                OWN_DELETES.incrementAndGet();
                try {
                    dir.delete(name, false);
                } finally {
                    OWN_DELETES_RUNNING.decrementAndGet();
                }
                return;
            }
            s = op == 0 ? dir.create(name, 1 << 20, 0600) : dir.attach(name, AttachOptions.READ_WRITE);
            long id = s.metadata().spaceId();
            long p = s.allocate(16);
            s.segment().set(JAVA_LONG, s.offsetOf(p), id);
            long named;
            try {
                named = dir.inspect(name).metadata().spaceId();
            } catch (SpaceException e) {
                named = -1;
                if (!ownDeleteRunning && OWN_DELETES.get() == deletesBefore) {
                    violation("space '" + name + "' held by this process (id " + id + ", " + (op == 0 ? "created" : "attached")
                            + ") was removed while held: " + e.getMessage());
                }
            }
            if (named != -1 && named != id && !ownDeleteRunning && OWN_DELETES.get() == deletesBefore) {
                violation("the name names space id " + named + " while this process holds id " + id);
            }
            if (s.segment().get(JAVA_LONG, s.offsetOf(p)) != id) violation("the space lost what was written in it");
        } catch (SpaceException e) {
            boolean allowed = switch (e.reason()) {
                case EXISTS -> op == 0;
                case NOT_FOUND -> op != 0;
                case BUSY -> op == 2;
                case DAMAGED -> op == 1 && e.getMessage().contains("still in progress");
                case ADDRESS_TAKEN -> op == 1;   // another thread of this process has the space mapped at its address
                default -> false;
            };
            if (!allowed) violation("op " + op + ": " + e.reason() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            violation("op " + op + ": " + e);
            e.printStackTrace(System.out);
        } finally {
            if (s != null) s.close();
        }
    }

    private static synchronized void violation(String what) {
        System.out.println("violation: " + what.replace('\n', ' '));
    }
}

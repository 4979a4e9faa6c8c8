package dev.atlas.ulp.system;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnedExecutorsTest {
    @Test
    void stopAllShutsDownExecutorsAndCancelsTimersOnce() throws Exception {
        OwnedExecutors owned = new OwnedExecutors();
        ExecutorService pool = Executors.newCachedThreadPool();
        pool.submit(() -> { }).get();
        Timer timer = new Timer(true);
        owned.add(pool);
        owned.add(timer);
        assertEquals(2, owned.size());
        assertEquals(List.of(pool, timer), owned.stopAll());
        assertTrue(pool.isShutdown());
        // a cancelled timer refuses new tasks
        assertThrows(IllegalStateException.class, () -> timer.schedule(new TimerTask() {
            @Override
            public void run() {
            }
        }, 1000));
        assertEquals(List.of(), owned.stopAll());
        assertEquals(0, owned.size());
    }

    @Test
    void anExecutorAddedAfterTheEndIsStoppedAtOnce() {
        OwnedExecutors owned = new OwnedExecutors();
        owned.stopAll();
        ExecutorService late = Executors.newSingleThreadExecutor();
        owned.add(late);
        assertTrue(late.isShutdown());
        assertEquals(0, owned.size());
    }

    @Test
    void droppedExecutorsDoNotAccumulate() {
        OwnedExecutors owned = new OwnedExecutors();
        ExecutorService kept = Executors.newSingleThreadExecutor();
        owned.add(kept);
        for (int i = 0; i < 10_000; i++) {
            ExecutorService dropped = Executors.newFixedThreadPool(1);   // no thread until a task comes
            owned.add(dropped);
            dropped.shutdown();
            if (i % 1000 == 0) {
                System.gc();
            }
        }
        // purged whenever the list doubled: a few thousand entries at most, not 10,001
        assertTrue(owned.entries() <= 4096, "entries: " + owned.entries());
        assertTrue(owned.size() >= 1);
        assertEquals(List.of(kept), owned.stopAll().stream().filter(e -> e == kept).toList());
        assertTrue(kept.isShutdown());
    }

    @Test
    void onlyExecutorsAndTimersAreOwned() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OwnedExecutors().add("x"));
        assertTrue(e.getMessage().contains("ExecutorService or a Timer, got x"), e.getMessage());
    }
}

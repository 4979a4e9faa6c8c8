package dev.atlas.core.reclaim;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class HousekeeperTest {

    @Test
    void jobsRunInOrderOnTheHousekeeperThread() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (Housekeeper hk = Housekeeper.start("hk-order", Duration.ofSeconds(10), () -> {})) {
            for (int i = 0; i < 100; i++) {
                int n = i;
                hk.execute(() -> {
                    order.add(n);
                    threads.add(Thread.currentThread().getName());
                });
            }
        }
        assertEquals(100, order.size());
        for (int i = 0; i < 100; i++) assertEquals(i, order.get(i));
        assertTrue(threads.stream().allMatch("hk-order"::equals));
    }

    @Test
    void aFailingJobDoesNotStopTheOthers() {
        AtomicInteger ran = new AtomicInteger();
        try (Housekeeper hk = Housekeeper.start("hk-fail", Duration.ofSeconds(10), () -> {})) {
            hk.execute(() -> { throw new IllegalStateException("job failure (expected by the test)"); });
            hk.execute(ran::incrementAndGet);
        }
        assertEquals(1, ran.get());
    }

    @Test
    void theTickRuns() throws Exception {
        CountDownLatch ticks = new CountDownLatch(3);
        try (Housekeeper hk = Housekeeper.start("hk-tick", Duration.ofMillis(1), ticks::countDown)) {
            assertTrue(ticks.await(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void closedHousekeeperRejectsNewJobs() {
        Housekeeper hk = Housekeeper.start("hk-closed", Duration.ofSeconds(10), () -> {});
        hk.close();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> hk.execute(() -> {}));
        assertTrue(e.getMessage().contains("hk-closed"));
        assertThrows(IllegalArgumentException.class, () -> Housekeeper.start("bad", Duration.ZERO, () -> {}));
    }

    /** Producers racing close(): every job execute() accepted runs exactly once. */
    @RepeatedTest(20)
    void noAcceptedJobIsLostWhenCloseRaces() throws Exception {
        Housekeeper hk = Housekeeper.start("hk-race", Duration.ofSeconds(10), () -> {});
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++) {
            producers[p] = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    try {
                        hk.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    } catch (RejectedExecutionException closed) {
                        return;
                    }
                }
            });
        }
        go.countDown();
        Thread.onSpinWait();
        hk.close();
        for (Thread t : producers) t.join();
        assertEquals(accepted.get(), ran.get());
    }
}

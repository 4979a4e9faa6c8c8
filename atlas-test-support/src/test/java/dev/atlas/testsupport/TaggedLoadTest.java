package dev.atlas.testsupport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaggedLoadTest {
    /** An exchange whose requests all wait for one release, then answer v1. */
    private static final class HeldExchange implements TaggedLoad.Exchange {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String send(String path) throws InterruptedException {
            release.await();
            return "v1-v1-v1";
        }
    }

    @Test
    void aWindowIsAnsweredOnlyOnceEveryRequestDueInItIsAnswered() throws Exception {
        HeldExchange held = new HeldExchange();
        try (TaggedLoad load = TaggedLoad.openLoop(200, List.of("/x"), held)) {
            Await.until("5 requests sent", () -> load.rate().sent() >= 5);
            long to = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> load.awaitAnsweredBefore(to, Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("still unanswered"), e::getMessage);
            assertEquals(0, load.latencies(Long.MIN_VALUE, to).length);

            held.release.countDown();
            load.awaitAnsweredBefore(to, Await.BOUND);
            long[] window = load.latencies(Long.MIN_VALUE, to);
            assertTrue(window.length >= 5, () -> window.length + " request(s) of the window answered");
            assertEquals(0, load.completed(Long.MIN_VALUE, to), "no response came before the release");
            assertTrue(load.completed(to, Long.MAX_VALUE) >= window.length);
        }
    }

    @Test
    void aClosedLoadCountsOnlyTheRequestsItSent() throws Exception {
        HeldExchange held = new HeldExchange();
        TaggedLoad load = TaggedLoad.openLoop(200, List.of("/x"), held);
        Await.until("a request sent", () -> load.rate().sent() >= 1);
        held.release.countDown();
        load.close();
        load.awaitAnsweredBefore(System.nanoTime() + Duration.ofHours(1).toNanos(), Await.BOUND);
        assertEquals(load.rate().answered(), load.latencies(Long.MIN_VALUE, Long.MAX_VALUE).length);
    }
}

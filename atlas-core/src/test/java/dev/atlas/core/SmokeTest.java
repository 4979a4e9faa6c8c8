package dev.atlas.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void migrateRunningThreadAtQuiescencePoint() throws Exception {
        try (ViewSpace space = ViewSpace.create("smoke")) {
            View v2 = space.derive(space.baseView(), "v2").publish();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch bound = new CountDownLatch(1);
            Thread w = Thread.ofPlatform().start(() -> {
                space.bindCurrentThread();
                bound.countDown();
                while (!stop.get()) {
                    try (ViewScope s = space.enter()) { Thread.onSpinWait(); }
                    space.quiescent();
                }
                space.unbindCurrentThread();
            });
            bound.await();
            Migration m = space.migrate(v2).allThreads().makeDefault().start();
            space.baseView().retire();
            MigrationReport r = m.await(Duration.ofSeconds(10));
            assertEquals(1, r.count(ThreadMigrationState.MIGRATED));
            stop.set(true);
            w.join();
            assertEquals(ViewState.RETIRED, space.baseView().state());
            System.out.println(space.snapshot().render());
        }
    }
}

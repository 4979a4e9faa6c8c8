package dev.atlas.core;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JfrEventsTest {
    @Test
    void migrationsAndRetirementsAreRecorded() throws Exception {
        Path file = Files.createTempFile("atlas", ".jfr");
        try (Recording rec = new Recording(); ViewSpace space = ViewSpace.create("jfr")) {
            rec.enable("dev.atlas.ThreadMigrated");
            rec.enable("dev.atlas.MigrationCompleted");
            rec.enable("dev.atlas.ViewRetired");
            rec.start();
            View v2 = space.derive(space.baseView()).publish();
            try (var w = new TestThreads.LoopingWorker(space, "jfr-worker", false)) {
                space.migrate(v2).allThreads().makeDefault().start().await(Duration.ofSeconds(30));
                space.baseView().retire();
            }
            space.reclaimDeadThreads();
            ViewLifecycleTest.waitUntil(() -> space.baseView().state() == ViewState.RETIRED);
            space.close();  // drains the housekeeper, so the retirement event is committed
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.deleteIfExists(file);
        RecordedEvent migrated = events.stream().filter(e -> e.getEventType().getName().equals("dev.atlas.ThreadMigrated"))
                .findFirst().orElseThrow(() -> new AssertionError("no ThreadMigrated event in " + events.size()));
        assertEquals("jfr-worker", migrated.getString("migratedThread"));
        assertEquals(1L, migrated.getLong("toView"));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.atlas.MigrationCompleted")
                && e.getString("outcome").equals("DONE")));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.atlas.ViewRetired")
                && e.getLong("viewId") == 0L));
    }
}

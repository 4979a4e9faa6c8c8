package dev.atlas.patch.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-object once-marker of object rebuilds, on one thread. */
class RebuildMarksTest {
    final RebuildMarks marks = new RebuildMarks();
    final AtomicInteger runs = new AtomicInteger();

    @Test
    void rebuildsAnUnmarkedObjectOnceAndAnObjectTheNewViewMadeNever() throws Throwable {
        Object old = new Object();
        Object made = new Object();
        marks.markBuilt(made);
        assertTrue(marks.isBuilt(made));
        assertFalse(marks.isBuilt(old));
        marks.ensureRebuilt(old, self -> runs.incrementAndGet());
        marks.ensureRebuilt(old, self -> runs.incrementAndGet());
        marks.ensureRebuilt(made, self -> runs.incrementAndGet());
        assertEquals(1, runs.get());
        assertTrue(marks.isBuilt(old));
        assertEquals(1, marks.rebuiltCount());
        assertEquals(2, marks.size());
    }

    @Test
    void aCallFromInsideTheRebuildOfTheSameObjectReturnsAtOnce() throws Throwable {
        Object old = new Object();
        marks.ensureRebuilt(old, self -> {
            runs.incrementAndGet();
            marks.ensureRebuilt(self, again -> runs.addAndGet(100));   // the rebuild method calls another method of the class
            assertFalse(marks.isBuilt(self), "not marked until the rebuild ends");
        });
        assertEquals(1, runs.get());
        assertTrue(marks.isBuilt(old));
    }

    @Test
    void aRebuildThatThrowsIsRethrownLeavesTheObjectUnmarkedAndRunsAgainNextTime() throws Throwable {
        Object old = new Object();
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> marks.ensureRebuilt(old, self -> {
            runs.incrementAndGet();
            throw boom;
        })));
        assertFalse(marks.isBuilt(old));
        assertEquals(1, marks.failedCount());
        assertEquals(0, marks.size(), "no mark left behind");
        marks.ensureRebuilt(old, self -> runs.incrementAndGet());
        assertEquals(2, runs.get());
        assertTrue(marks.isBuilt(old));
        assertEquals(1, marks.rebuiltCount());
    }

    @Test
    void marksAreByIdentityNotEquality() throws Throwable {
        String a = new String("same");
        String b = new String("same");
        marks.ensureRebuilt(a, self -> runs.incrementAndGet());
        marks.ensureRebuilt(b, self -> runs.incrementAndGet());
        assertEquals(2, runs.get());
    }
}

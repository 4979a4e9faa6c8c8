package dev.atlas.bench.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.patch.runtime.MethodSlot;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ConstructionBenchmark}'s fixture: the guarded makers build objects of the instrumented
 * copies (whose constructors carry the re-routing guards, registered as slots), with the same
 * field values as the plain classes; the plain makers build the plain classes.
 */
class ConstructionFixtureTest {
    @Test
    void guardedMakersBuildInstrumentedCopiesThatBehaveAsThePlainClasses() {
        CodeViews views = new CodeViews();
        GuardedConstructors loader = GuardedConstructors.load(views);
        Object small = loader.maker(Maker.SmallMaker.class).make(7);
        Object large = loader.maker(Maker.LargeMaker.class).make(7);
        assertNotSame(Small.class, small.getClass());
        assertNotSame(Large.class, large.getClass());
        ConstructionBenchmark.Makers.check(small, true);
        ConstructionBenchmark.Makers.check(large, true);
        ConstructionBenchmark.Makers.check(new Maker.LargeMaker().make(7), false);
        assertEquals(3, loader.instrumentedCount(), "Small, Large and LargeBase");
        for (String c : List.of("dev/atlas/bench/patch/Small", "dev/atlas/bench/patch/Large")) {
            List<MethodRegistry.LoadedClassInfo> loaded = views.registry().loaded(c);
            assertEquals(1, loaded.size(), c);
            assertTrue(loaded.getFirst().methods().stream().map(MethodSlot::name).anyMatch("atlas$initCall"::equals),
                    () -> c + " constructors carry the re-routing guard: " + loaded.getFirst().methods());
        }
    }

    @Test
    void theBenchmarksStateChecksItsMakers() {
        ConstructionBenchmark.Makers m = new ConstructionBenchmark.Makers();
        m.setUp();
        assertEquals(m.seed, ((Small) m.plainSmall.make(m.seed)).a);
    }
}

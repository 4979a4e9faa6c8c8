package dev.atlas.patch.runtime;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry holds class loaders weakly: the methods of a loader nothing else holds (an
 * ended atlas-ulp program's) do not keep it, and are purged once it was collected.
 */
class MethodRegistryTest {
    @Test
    void aCollectedLoadersMethodsArePurgedAndItsClassesNoLongerListed() {
        MethodRegistry registry = new CodeViews().registry();
        ClassLoader kept = MethodRegistryTest.class.getClassLoader();
        MethodSlot keptSlot = registry.register(kept, "k/Kept", "m", "()V", true);
        registry.classTransformed(kept, "k/Kept", "f0", List.of(keptSlot));
        WeakReference<ClassLoader> gone = registerThrowawayLoader(registry, 5000);
        for (int i = 0; i < 200 && gone.get() != null; i++) {
            System.gc();
        }
        assertNull(gone.get(), "the registry kept the loader reachable");
        assertTrue(registry.loaded("p/C0").isEmpty(), "a collected loader's class is still listed");
        // the next registrations pass the purge threshold (twice the size at the last purge)
        List<MethodSlot> more = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            more.add(registry.register(kept, "k/More", "m" + i, "()V", true));
        }
        assertTrue(registry.liveMethodCount() <= 1 + more.size(), "methods held: " + registry.liveMethodCount());
        assertSame(keptSlot, registry.find(kept, "k/Kept", "m", "()V"));
        assertSame(keptSlot, registry.slot(keptSlot.id()));
        assertEquals(1, registry.loaded("k/Kept").size());
        assertTrue(registry.loaders().contains(kept));
    }

    private static WeakReference<ClassLoader> registerThrowawayLoader(MethodRegistry registry, int methods) {
        ClassLoader l = new URLClassLoader("throwaway", new URL[0], null);
        for (int c = 0; c < methods / 10; c++) {
            List<MethodSlot> slots = new ArrayList<>();
            for (int m = 0; m < 10; m++) {
                slots.add(registry.register(l, "p/C" + c, "m" + m, "()V", false));
            }
            registry.classTransformed(l, "p/C" + c, "f", slots);
        }
        assertEquals(1, registry.loaded("p/C0").size());
        return new WeakReference<>(l);
    }
}

package dev.atlas.ulp.load;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassFileCacheTest {
    private static ClassFileCache.Definition def(int size) throws Exception {
        URL jar = URI.create("file:/tmp/x.jar").toURL();
        return new ClassFileCache.Definition(new byte[size], false, jar, null);
    }

    @Test
    void keepsDefinitionsPerClassPathVersion() throws Exception {
        ClassFileCache cache = new ClassFileCache(1 << 20);
        ClassFileCache.Classes v1 = cache.classesOf("a.jar|1\n");
        ClassFileCache.Classes v2 = cache.classesOf("a.jar|2\n");
        ClassFileCache.Definition d = def(100);
        assertNull(v1.get("p.A"));
        v1.put("p.A", d);
        assertSame(d, cache.classesOf("a.jar|1\n").get("p.A"));
        assertNull(v2.get("p.A"), "another version of the jar must not see the first one's classes");
        assertEquals(100, cache.size());
        assertEquals(1, cache.hits());
        assertEquals(2, cache.misses());
    }

    @Test
    void dropsTheLeastRecentlyUsedClassPathsBeyondItsCapacity() throws Exception {
        ClassFileCache cache = new ClassFileCache(1000);
        ClassFileCache.Classes old = cache.classesOf("old");
        old.put("A", def(600));
        ClassFileCache.Classes young = cache.classesOf("young");
        young.put("B", def(600));
        assertEquals(600, cache.size(), "the older class path is dropped to stay within 1000 bytes");
        assertNull(cache.classesOf("old").get("A"));
        assertNotNull(cache.classesOf("young").get("B"));
        old.put("C", def(10));
        assertTrue(cache.size() <= 1000, "size " + cache.size());
    }

    @Test
    void aDefinitionLargerThanTheCapacityIsNotKept() throws Exception {
        ClassFileCache cache = new ClassFileCache(100);
        ClassFileCache.Classes c = cache.classesOf("x");
        c.put("Big", def(101));
        assertNull(c.get("Big"));
        assertEquals(0, cache.size());
    }

    @Test
    void nothingIsCachedForAClassPathWithoutVersionOrWhenOff() {
        assertNull(new ClassFileCache(1000).classesOf(null));
        assertNull(new ClassFileCache(0).classesOf("a.jar|1\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClassFileCache(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}

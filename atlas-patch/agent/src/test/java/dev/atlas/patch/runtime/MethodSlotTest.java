package dev.atlas.patch.runtime;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invoke site of a slot not registered with the code views (no delayed installation touches it). */
class MethodSlotTest {
    private static final MethodType SITE = MethodType.methodType(String.class, MethodHandle.class);   // static ()String

    private static String call(MutableCallSite site, MethodHandle found) throws Throwable {
        return (String) site.dynamicInvoker().invokeExact(found);
    }

    @Test
    void cachingABodyDoesNotBuildTheInlineCacheUntilInstalledAndNoTargetChangesAResult() throws Throwable {
        MethodSlot slot = new MethodSlot(new CodeViews().space(), Integer.MAX_VALUE, MethodSlotTest.class.getClassLoader(), "x/Y", "m",
                "()Ljava/lang/String;", true);
        MethodHandle a = MethodHandles.constant(String.class, "a");
        MethodHandle b = MethodHandles.constant(String.class, "b");
        MutableCallSite site = slot.invokeSite(SITE);
        MethodHandle generic = site.getTarget();

        slot.cache(a);
        assertFalse(slot.inlineCacheHolds(a), "cache only remembers the body");
        assertEquals(generic, site.getTarget(), "the invoke site is not rebuilt by cache");
        assertEquals("a", call(site, a));
        assertEquals("b", call(site, b));

        assertTrue(slot.installCache());
        assertTrue(slot.inlineCacheHolds(a));
        assertFalse(generic == site.getTarget(), "the inline cache is the site's target now");
        assertEquals("a", call(site, a), "the cached body");
        assertEquals("b", call(site, b), "any other body through invokeExact");
        assertFalse(slot.installCache(), "idempotent");

        slot.cache(b);
        assertTrue(slot.inlineCacheHolds(a), "still the installed one until installCache");
        assertTrue(slot.installCache());
        assertTrue(slot.inlineCacheHolds(b));
        assertEquals("a", call(site, a));
        assertEquals("b", call(site, b));
    }

    /** A site created after the installation starts with the inline cache. */
    @Test
    void anInvokeSiteCreatedAfterTheInstallationHasTheInlineCache() throws Throwable {
        MethodSlot slot = new MethodSlot(new CodeViews().space(), Integer.MAX_VALUE - 1, MethodSlotTest.class.getClassLoader(), "x/Y", "n",
                "()Ljava/lang/String;", true);
        MethodHandle a = MethodHandles.constant(String.class, "a");
        slot.cache(a);
        assertTrue(slot.installCache());
        MutableCallSite site = slot.invokeSite(SITE);
        assertTrue(slot.inlineCacheHolds(a));
        assertEquals("a", call(site, a));
        assertEquals("c", call(site, MethodHandles.constant(String.class, "c")));
    }
}

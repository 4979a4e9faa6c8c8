package dev.atlas.patch.shadow;

import dev.atlas.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ShadowFieldTest {
    static final AtomicInteger INITS = new AtomicInteger();

    public static AtomicLong init(Object self) {
        INITS.incrementAndGet();
        return new AtomicLong(100);
    }

    final ClassLoader loader = getClass().getClassLoader();
    final ShadowFields fields = new ShadowFields();

    @Test
    void instanceFieldsAreKeptPerObjectIdentityAndInitialisedLazilyOnce() throws Throwable {
        MethodHandle init = MethodHandles.lookup().findStatic(ShadowFieldTest.class, "init",
                MethodType.methodType(AtomicLong.class, Object.class));
        ShadowField f = fields.define(loader, "app/Cart", "hits", "Ljava/util/concurrent/atomic/AtomicLong;", false, init);
        String a = new String("same");
        String b = new String("same");   // equal, not identical: a different object
        INITS.set(0);
        ((AtomicLong) f.get(a)).incrementAndGet();
        ((AtomicLong) f.get(a)).incrementAndGet();
        assertEquals(102, ((AtomicLong) f.get(a)).get());
        assertEquals(100, ((AtomicLong) f.get(b)).get());
        assertEquals(2, INITS.get(), "one initialisation per object");
        assertSame(f, fields.define(loader, "app/Cart", "hits", "Ljava/util/concurrent/atomic/AtomicLong;", false, null),
                "defined again (a later patch): same storage");
        assertThrows(NullPointerException.class, () -> f.get(null));
    }

    @Test
    void primitiveFieldsDefaultToZeroAndTypedHandlesConvert() throws Throwable {
        ShadowField f = fields.define(loader, "app/Cart", "count", "I", false, null);
        MethodHandle get = ShadowFields.getter(f, MethodType.methodType(int.class, Object.class));
        MethodHandle put = ShadowFields.setter(f, MethodType.methodType(void.class, Object.class, int.class));
        Object o = new Object();
        assertEquals(0, (int) get.invokeExact(o));
        put.invokeExact(o, 42);
        assertEquals(42, (int) get.invokeExact(o));
        ShadowField s = fields.define(loader, "app/Cart", "TOTAL", "J", true, null);
        MethodHandle sget = ShadowFields.getter(s, MethodType.methodType(long.class));
        assertEquals(0L, (long) sget.invokeExact());
        s.putStatic(7L);
        assertEquals(7L, (long) sget.invokeExact());
        assertThrows(IllegalArgumentException.class, () -> fields.define(loader, "app/Cart", "TOTAL", "J", false, null));
    }

    @Test
    void valuesOfCollectedObjectsGoWithThem() throws Exception {
        ShadowField f = fields.define(loader, "app/Cart", "tag", "Ljava/lang/String;", false, null);
        for (int i = 0; i < 1000; i++) {
            f.put(new Object(), "x" + i);
        }
        // waits for the condition (the collector and the expunging), not for a time
        Await.until(() -> "entries of collected keys expunged, still " + f.size(), Await.BOUND, () -> {
            System.gc();
            return f.size() <= 10;
        });
    }

    @Test
    void concurrentFirstAccessesInitialiseOnce() throws Exception {
        MethodHandle init = MethodHandles.lookup().findStatic(ShadowFieldTest.class, "init",
                MethodType.methodType(AtomicLong.class, Object.class));
        ShadowField f = fields.define(loader, "app/Cart", "shared", "Ljava/util/concurrent/atomic/AtomicLong;", false, init);
        Object target = new Object();
        INITS.set(0);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ts.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < 1000; k++) {
                    ((AtomicLong) f.get(target)).incrementAndGet();
                }
            }));
        }
        for (Thread t : ts) t.join();
        assertEquals(1, INITS.get());
        assertEquals(100 + 8000, ((AtomicLong) f.get(target)).get());
    }
}

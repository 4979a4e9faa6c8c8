package dev.atlas.patch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * Publishing a view's constants to the JDK's cache of an enum's constants (this module's tests
 * run with {@code java.lang} open, standing in for the agent's access): the running constants
 * and the added ones by ordinal; refused, changing nothing, when ordinals collide or leave a gap.
 */
class EnumConstantViewsTest {
    enum Two { A, B }

    enum Gap { A, B }

    enum Clash { A, B }

    /** A second constant of {@code type}, made as a patch's view initialiser makes an added one. */
    static <E extends Enum<E>> E constant(Class<E> type, String name, int ordinal) throws Throwable {
        MethodHandle init = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                .findConstructor(type, MethodType.methodType(void.class, String.class, int.class));
        return type.cast(init.invoke(name, ordinal));
    }

    @Test
    void addedConstantsJoinTheCacheByOrdinal() throws Throwable {
        Two c = constant(Two.class, "C", 2);
        assertEquals(2, EnumSet.allOf(Two.class).size(), "the running cache");
        EnumConstantViews.publish(Two.class, new Object[] {Two.A, c, Two.B});
        assertSame(c, Enum.valueOf(Two.class, "C"));
        assertEquals(java.util.List.of(Two.A, Two.B, c), java.util.List.copyOf(EnumSet.allOf(Two.class)), "ordinal order");
        assertEquals(java.util.List.of(Two.A, Two.B), java.util.List.of(Two.values()), "values() is the running array");
        EnumConstantViews.publish(Two.class, new Object[] {Two.A, c, Two.B});   // again: nothing to change
        assertEquals(3, Two.class.getEnumConstants().length);
    }

    @Test
    void collidingOrMissingOrdinalsAreRefusedAndChangeNothing() throws Throwable {
        Clash other = constant(Clash.class, "C", 1);
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> EnumConstantViews.publish(Clash.class, new Object[] {Clash.A, Clash.B, other}));
        assertTrue(clash.getMessage().contains("constants B and C both have ordinal 1"), clash::getMessage);
        Gap far = constant(Gap.class, "D", 3);
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                () -> EnumConstantViews.publish(Gap.class, new Object[] {Gap.A, Gap.B, far}));
        assertTrue(gap.getMessage().contains("no constant has ordinal 2 of 0..3"), gap::getMessage);
        assertEquals(2, Clash.class.getEnumConstants().length);
        assertEquals(2, Gap.class.getEnumConstants().length);
        IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class,
                () -> EnumConstantViews.publish(Two.class, new Object[] {Gap.A}));
        assertTrue(notOne.getMessage().contains("not a constant of"), notOne::getMessage);
    }
}

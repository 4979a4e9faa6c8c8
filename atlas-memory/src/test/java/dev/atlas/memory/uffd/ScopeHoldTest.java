package dev.atlas.memory.uffd;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A native hold that fails before it signals ready (here: {@code atlas_hold} made to return
 * -EBADF at once) makes {@link ScopeHold#acquire} throw, naming the failure, and leaves the
 * arena closable; it used to wait for that signal forever.
 */
class ScopeHoldTest {
    private static final int EBADF = 9;

    @Test
    @Timeout(60)
    void aHolderThatFailsBeforeReadyMakesAcquireThrowInsteadOfWaitingForever() {
        NativeLibrary lib = NativeLibrary.get();
        Assumptions.assumeTrue(lib.loaded(), () -> "native library: " + lib.failure);
        Arena ok = Arena.ofShared();
        Arena failing = Arena.ofShared();
        List<MemorySegment> segments = List.of(ok.allocate(64), failing.allocate(64));
        MemorySegment bad = segments.get(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ScopeHold.acquire("test", segments, lib,
                (ready, release, s) -> s == bad ? -EBADF : (int) lib.hold.invokeExact(ready, release, s)));
        assertTrue(e.getMessage().contains("the memory could not be held"), e::getMessage);
        assertTrue(e.getSuppressed().length == 1 && e.getSuppressed()[0].getMessage().contains("holding the memory failed"),
                () -> List.of(e.getSuppressed()).toString());
        assertDoesNotThrow(ok::close, "acquire released what it held");
        assertDoesNotThrow(failing::close);
    }

    @Test
    @Timeout(60)
    void aHoldKeepsItsArenasOpenUntilClosed() {
        Assumptions.assumeTrue(NativeLibrary.get().loaded());
        Arena arena = Arena.ofShared();
        ScopeHold h = ScopeHold.acquire("test", List.of(arena.allocate(64)));
        assertThrows(IllegalStateException.class, arena::close);
        h.close();
        assertDoesNotThrow(arena::close);
    }
}

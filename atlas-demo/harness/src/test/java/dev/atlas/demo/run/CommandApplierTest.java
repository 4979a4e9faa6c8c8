package dev.atlas.demo.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandApplierTest {
    @Test
    void readsFieldsOfTheCliReplyInEitherForm() {
        String reply = "patch=ebd9374f20d4a126\nthreads: 16\nmoved=16\nmax-delay-ms=13.310\n";
        assertEquals("16", CommandApplier.field(reply, "threads"));
        assertEquals("16", CommandApplier.field(reply, "moved"));
        assertEquals("13.310", CommandApplier.field(reply, "max-delay-ms"));
        assertNull(CommandApplier.field(reply, "stragglers"));
    }

    @Test
    void anEmptyCommandIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CommandApplier(List.of()));
    }
}

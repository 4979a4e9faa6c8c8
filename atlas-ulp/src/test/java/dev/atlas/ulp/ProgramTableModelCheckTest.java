package dev.atlas.ulp;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * Lincheck over {@link ProgramTable}: launches, ends, listings, look-ups and counts from
 * several threads are linearizable against the table run sequentially: a listing and the
 * counts are each of one instant (never more programs ended than started, never a program
 * listed that had ended), in every interleaving Lincheck explores.
 */
@Param(name = "id", gen = IntGen.class, conf = "1:3")
public class ProgramTableModelCheckTest {
    private final ProgramTable<String> table = new ProgramTable<>();

    @Operation
    public boolean started(@Param(name = "id") int id) {
        try {
            table.started(id, "p" + id);
            return true;
        } catch (IllegalStateException running) {
            return false;
        }
    }

    @Operation
    public boolean ended(@Param(name = "id") int id) {
        return table.ended(id);
    }

    @Operation
    public List<String> running() {
        return table.running();
    }

    @Operation
    public String find(@Param(name = "id") int id) {
        return table.find(id).orElse(null);
    }

    @Operation
    public String counts() {
        Map<String, Long> c = table.counts();
        return c.get("started") + "/" + c.get("ended");
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions().iterations(3).invocationsPerIteration(30).threads(2).actorsPerThread(3)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(2).invocationsPerIteration(30).threads(3).actorsPerThread(3)
                .check(getClass());
    }
}

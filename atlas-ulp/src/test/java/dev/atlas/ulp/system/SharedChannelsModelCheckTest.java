package dev.atlas.ulp.system;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over {@link SharedChannels}, in two parts (a put that opens a channel is two steps,
 * opening and offering, so it is not one atomic step against a count of channels):
 * <ol>
 *   <li>{@link Messages}: programs putting objects into channels by name and taking them out,
 *       from several threads, are linearizable against the channels used sequentially: the
 *       first use of a name creates exactly one channel (two programs racing to open it get the
 *       same one, so nothing put is lost to a second queue), and each channel is first in,
 *       first out;</li>
 *   <li>{@link Opening}: opening channels and counting them is linearizable: a program that
 *       opened an existing channel is never told there are none. (The map's own size, which
 *       the count used to be, failed the model check of puts, polls and counts: an entry is
 *       visible before it is counted.)</li>
 * </ol>
 */
class SharedChannelsModelCheckTest {
    @Param(name = "name", gen = IntGen.class, conf = "1:2")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class Messages {
        private final SharedChannels channels = new SharedChannels();

        @Operation
        public void put(@Param(name = "name") int name, @Param(name = "value") int value) {
            channels.channel("c" + name).offer(value);   // an unbounded queue: never refuses
        }

        @Operation
        public Object poll(@Param(name = "name") int name) {
            return channels.channel("c" + name).poll();
        }
    }

    @Param(name = "name", gen = IntGen.class, conf = "1:3")
    public static class Opening {
        private final SharedChannels channels = new SharedChannels();

        @Operation
        public void open(@Param(name = "name") int name) {
            channels.channel("c" + name);
        }

        @Operation
        public int size() {
            return channels.size();
        }
    }

    @Test
    void messagesModelCheck() {
        new ModelCheckingOptions().iterations(5).invocationsPerIteration(40).threads(2).actorsPerThread(3)
                .check(Messages.class);
    }

    @Test
    void openingModelCheck() {
        new ModelCheckingOptions().iterations(5).invocationsPerIteration(40).threads(2).actorsPerThread(3)
                .check(Opening.class);
    }

    @Test
    void stress() {
        new StressOptions().iterations(3).invocationsPerIteration(50).threads(3).actorsPerThread(3)
                .check(Messages.class);
        new StressOptions().iterations(3).invocationsPerIteration(50).threads(3).actorsPerThread(3)
                .check(Opening.class);
    }
}

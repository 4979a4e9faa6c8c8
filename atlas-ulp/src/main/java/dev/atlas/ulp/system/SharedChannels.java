package dev.atlas.ulp.system;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TransferQueue;

/**
 * The named channels of one host, through which its programs hand objects to each other
 * <em>by reference</em>: the programs share one address space, so nothing is copied or
 * serialised. Only objects of classes both programs see as the same class can be used by
 * the receiver: JDK types ({@code byte[]}, {@code String}, {@code ByteBuffer}, records of the
 * JDK) and the shared API; a class each program loaded itself is a different class on the
 * other side.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=channels}
 *
 * <p>Thread safety: all methods may be called from any thread. A channel is a
 * {@link LinkedTransferQueue}: {@code put} never blocks, {@code take} blocks until an
 * object arrives.
 */
public final class SharedChannels {
    private final ConcurrentHashMap<String, TransferQueue<Object>> channels = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();

    /** The channel named {@code name}, created on first use. */
    public TransferQueue<Object> channel(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("channel name must not be blank, got '" + name + "'");
        }
        return channels.computeIfAbsent(name, n -> {
            created.incrementAndGet();   // before the channel can be seen: no one sees a channel size() did not count
            return new LinkedTransferQueue<>();
        });
    }

    /**
     * The number of channels created so far. (Not the map's size, which counts an entry only
     * after it is visible: a program could open an existing channel and then be told there
     * is none; {@code SharedChannelsModelCheckTest}.)
     */
    public int size() {
        return created.get();
    }
}

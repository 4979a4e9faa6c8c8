package dev.atlas.core.quiescence;

import dev.atlas.core.ViewSpace;

import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking queue whose waiting consumers count as idle in a {@link ViewSpace}: a worker
 * blocked in {@link #take()} or {@link #poll(long, TimeUnit)} is migrated at once, without
 * waking it, and runs its next task in the new view. Every other operation delegates.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=idle-queue}
 *
 * <p>Thread safety: as the delegate's.
 */
public final class IdleAwareBlockingQueue<E> extends AbstractQueue<E> implements BlockingQueue<E> {
    private final ViewSpace space;
    private final BlockingQueue<E> delegate;

    public IdleAwareBlockingQueue(ViewSpace space, BlockingQueue<E> delegate) {
        this.space = Objects.requireNonNull(space, "space");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public E take() throws InterruptedException {
        E e = delegate.poll();
        return e != null ? e : space.awaitIdle(delegate::take);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        E e = delegate.poll();
        return e != null ? e : space.awaitIdle(() -> delegate.poll(timeout, unit));
    }

    @Override public Iterator<E> iterator() { return delegate.iterator(); }
    @Override public int size() { return delegate.size(); }
    @Override public void put(E e) throws InterruptedException { delegate.put(e); }
    @Override public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException { return delegate.offer(e, timeout, unit); }
    @Override public int remainingCapacity() { return delegate.remainingCapacity(); }
    @Override public int drainTo(Collection<? super E> c) { return delegate.drainTo(c); }
    @Override public int drainTo(Collection<? super E> c, int maxElements) { return delegate.drainTo(c, maxElements); }
    @Override public boolean offer(E e) { return delegate.offer(e); }
    @Override public E poll() { return delegate.poll(); }
    @Override public E peek() { return delegate.peek(); }
    @Override public boolean remove(Object o) { return delegate.remove(o); }
}

package dev.atlas.core;

/**
 * A blocking call during which the thread is idle and holds no view: waiting for the
 * next task, request or message. See {@link ViewSpace#awaitIdle(IdleBlocker)}.
 *
 * @param <T> what the call returns
 */
@FunctionalInterface
public interface IdleBlocker<T> {
    T block() throws InterruptedException;
}

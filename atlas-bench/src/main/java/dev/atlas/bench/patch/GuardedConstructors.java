package dev.atlas.bench.patch;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.CodeViews;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * {@link Small}, {@link Large} and {@link LargeBase} as the agent instruments them (entry,
 * argument and re-routing guards in every constructor; no patch), defined in a loader of
 * their own beside the plain copies the benchmark's loader holds, with the two makers that
 * construct them: the fixture of {@code ConstructionBenchmark}.
 *
 * {@snippet :
 * Maker guarded = GuardedConstructors.load(new CodeViews()).maker(Maker.SmallMaker.class);
 * }
 *
 * <p>Implementation notes: child first for the five classes, the rest (Atlas's runtime,
 * {@link Maker}) from the parent. Not thread-safe while loading; its classes are then used
 * from any thread.
 */
public final class GuardedConstructors extends ClassLoader {
    private static final Set<String> INSTRUMENTED = Set.of(Small.class.getName(), Large.class.getName(),
            LargeBase.class.getName());
    private static final Set<String> OWN = Set.of(Small.class.getName(), Large.class.getName(), LargeBase.class.getName(),
            Maker.SmallMaker.class.getName(), Maker.LargeMaker.class.getName());

    private final CodeInstrumenter instrumenter;
    private int instrumented;

    private GuardedConstructors(CodeViews views) {
        super("guarded-constructors", GuardedConstructors.class.getClassLoader());
        this.instrumenter = new CodeInstrumenter(views.registry(), new BoundaryMatcher(java.util.List.of()));
    }

    /** A loader whose copies of the classes are instrumented for {@code views}. */
    public static GuardedConstructors load(CodeViews views) {
        return new GuardedConstructors(views);
    }

    /** A new maker of this loader ({@code Maker.SmallMaker.class} or {@code Maker.LargeMaker.class} by name). */
    public Maker maker(Class<? extends Maker> plain) {
        try {
            return (Maker) loadClass(plain.getName()).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many of the classes were instrumented so far (each must be, once loaded). */
    public synchronized int instrumentedCount() {
        return instrumented;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            if (!OWN.contains(name)) {
                return super.loadClass(name, resolve);
            }
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] b = bytes(name);
                if (INSTRUMENTED.contains(name)) {
                    byte[] out = instrumenter.instrument(this, b);
                    if (out == null) {
                        throw new IllegalStateException(name + " was not instrumented");
                    }
                    b = out;
                    synchronized (this) {
                        instrumented++;
                    }
                }
                c = defineClass(name, b, 0, b.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private byte[] bytes(String name) throws ClassNotFoundException {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.PatchableClassTransformer;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.MethodRegistry;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SelectionWidener} against an {@link Instrumentation} that lists a few classes of the
 * application class loader (JUnit's annotations, the JDK's {@code String}) and records each
 * retransformation call, registering the classes as the agent's transformer would; so that
 * what is retransformed, what is skipped and what a failure leaves behind are seen exactly.
 */
class SelectionWidenerTest {
    private static final String API = "org.junit.jupiter.api.";

    private final MethodRegistry registry = new CodeViews().registry();
    private final PatchableClassTransformer transformer = new PatchableClassTransformer(
            new ClassSelector(List.of(API + "Test"), List.of()),
            new CodeInstrumenter(registry, new BoundaryMatcher(List.of())), null, (name, e) -> { });
    private final List<String> failures = new ArrayList<>();
    private final RecordingInstrumentation inst = new RecordingInstrumentation(
            List.of(Test.class, Timeout.class, Disabled.class, org.junit.jupiter.api.Assertions.class, String.class),
            batch -> { });
    private final SelectionWidener widener = new SelectionWidener(inst, transformer, registry, failures);

    SelectionWidenerTest() {
        register(Test.class);   // made patchable when the agent installed
    }

    @Test
    void retransformsExactlyTheLoadedClassesTheWideningAddsEachOnce() {
        register(Timeout.class);   // instrumented at load under the new selector while the widening ran
        SelectionWidening w = widener.widen(new ClassSelector(List.of(API + "*"), List.of()));
        assertEquals(List.of(List.of(Disabled.class, org.junit.jupiter.api.Assertions.class)), inst.calls);
        assertEquals(2, w.retransformed());
        assertTrue(transformer.selector().selects(name(Disabled.class), Disabled.class.getClassLoader()));
        assertEquals(List.of(), w.failures());

        SelectionWidening again = widener.widen(new ClassSelector(List.of("org.junit.**"), List.of()));
        assertEquals(1, inst.calls.size(), "every loaded class of the wider tree is patchable already: none again");
        assertEquals(0, again.retransformed());
        SelectionWidening same = widener.widen(new ClassSelector(List.of("org.junit.**"), List.of()));
        assertEquals(0, same.nanos(), "a selection that has the patterns already is left as it is");
        assertSame(again.selection(), transformer.selector());
    }

    @Test
    void aClassTheJvmCannotRetransformIsSkippedAloneAndListed() {
        inst.onCall = batch -> {
            if (batch.contains(Disabled.class)) {
                throw new InternalError("class redefinition failed: invalid class");
            }
        };
        SelectionWidening w = widener.widen(new ClassSelector(List.of(API + "*"), List.of()));
        assertEquals(2, w.retransformed());   // Timeout, Assertions
        String listed = "org.junit.jupiter.api.Disabled: not retransformed: java.lang.InternalError: class redefinition "
                + "failed: invalid class";
        assertEquals(List.of(listed), w.failures());
        assertEquals(List.of(listed), failures, "listed by atlas status");
        assertTrue(registry.loaded(name(Timeout.class)).size() == 1 && registry.loaded(name(Disabled.class)).isEmpty());
    }

    @Test
    void aWideningThatFailsLeavesThePreviousSelectionAndALaterOneRetries() {
        ClassSelector before = transformer.selector();
        inst.onCall = batch -> {
            throw new OutOfMemoryError("simulated");
        };
        ClassSelector more = new ClassSelector(List.of(API + "*"), List.of());
        assertThrows(OutOfMemoryError.class, () -> widener.widen(more));
        assertSame(before, transformer.selector(), "classes loading from now on are selected as before");
        assertFalse(transformer.selector().selects(name(Timeout.class), Timeout.class.getClassLoader()));

        inst.onCall = batch -> { };
        SelectionWidening w = widener.widen(more);
        assertEquals(3, w.retransformed());
        assertTrue(transformer.selector().selects(name(Timeout.class), Timeout.class.getClassLoader()));
    }

    private void register(Class<?> c) {
        registry.classTransformed(c.getClassLoader(), name(c), "fingerprint", List.of());
    }

    private static String name(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    /** Lists {@code loaded}; each retransformation call is handed to {@code onCall}, then registers its classes. */
    private final class RecordingInstrumentation implements Instrumentation {
        final List<List<Class<?>>> calls = new ArrayList<>();
        private final List<Class<?>> loaded;
        Consumer<List<Class<?>>> onCall;

        RecordingInstrumentation(List<Class<?>> loaded, Consumer<List<Class<?>>> onCall) {
            this.loaded = loaded;
            this.onCall = onCall;
        }

        @Override
        public void retransformClasses(Class<?>... classes) {
            List<Class<?>> batch = List.of(classes);
            onCall.accept(batch);
            calls.add(batch);
            batch.forEach(SelectionWidenerTest.this::register);
        }

        @Override
        public Class<?>[] getAllLoadedClasses() {
            return loaded.toArray(Class<?>[]::new);
        }

        @Override
        public boolean isModifiableClass(Class<?> theClass) {
            return true;
        }

        @Override
        public void addTransformer(ClassFileTransformer transformer, boolean canRetransform) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addTransformer(ClassFileTransformer transformer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean removeTransformer(ClassFileTransformer transformer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isRetransformClassesSupported() {
            return true;
        }

        @Override
        public boolean isRedefineClassesSupported() {
            return false;
        }

        @Override
        public void redefineClasses(ClassDefinition... definitions) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Class<?>[] getInitiatedClasses(ClassLoader loader) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getObjectSize(Object objectToSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void appendToBootstrapClassLoaderSearch(JarFile jarfile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void appendToSystemClassLoaderSearch(JarFile jarfile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isNativeMethodPrefixSupported() {
            return false;
        }

        @Override
        public void setNativeMethodPrefix(ClassFileTransformer transformer, String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void redefineModule(Module module, Set<Module> extraReads, Map<String, Set<Module>> extraExports,
                                   Map<String, Set<Module>> extraOpens, Set<Class<?>> extraUses,
                                   Map<Class<?>, List<Class<?>>> extraProvides) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isModifiableModule(Module module) {
            return false;
        }
    }
}

package dev.atlas.patch.shadow;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * A field added by a patch to an existing class, stored beside the objects (Linux
 * livepatch's shadow variables): per object identity for an instance field, once for a
 * static field. A value is initialised lazily, on the first access for that object, by the
 * field's initialiser from the new build (or to the type's default value).
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=shadow-field}
 *
 * <p>Implementation notes: values live in {@link Cell}s (a volatile slot each), so reads and
 * writes are atomic and visible across threads, like a volatile field: stronger than the
 * plain field the source declared, never weaker. Cells of collected objects go with them
 * (a weak identity map). The initialiser runs at most once per object, inside
 * {@code ConcurrentHashMap.computeIfAbsent}; it must not read the same field of the same
 * object (that would be a recursive update).
 *
 * <p>Threading: shared; all methods may be called from any thread.
 */
public final class ShadowField {
    static final MethodHandle GET;
    static final MethodHandle PUT;
    static final MethodHandle GET_STATIC;
    static final MethodHandle PUT_STATIC;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GET = l.findVirtual(ShadowField.class, "get", MethodType.methodType(Object.class, Object.class));
            PUT = l.findVirtual(ShadowField.class, "put", MethodType.methodType(void.class, Object.class, Object.class));
            GET_STATIC = l.findVirtual(ShadowField.class, "getStatic", MethodType.methodType(Object.class));
            PUT_STATIC = l.findVirtual(ShadowField.class, "putStatic", MethodType.methodType(void.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One value. */
    static final class Cell {
        volatile Object value;

        Cell(Object value) {
            this.value = value;
        }
    }

    private final String owner;
    private final String name;
    private final String descriptor;
    private final boolean isStatic;
    private final Class<?> type;
    private final Object defaultValue;
    private volatile MethodHandle initializer;   // (Object self)Object or ()Object; null: default value
    private final WeakIdentityMap<Cell> cells = new WeakIdentityMap<>();
    private volatile Cell staticCell;

    ShadowField(String owner, String name, String descriptor, boolean isStatic, Class<?> type, MethodHandle initializer) {
        this.owner = owner;
        this.name = name;
        this.descriptor = descriptor;
        this.isStatic = isStatic;
        this.type = type;
        this.defaultValue = defaultValue(type);
        this.initializer = initializer;
    }

    private static Object defaultValue(Class<?> t) {
        if (!t.isPrimitive()) return null;
        if (t == boolean.class) return false;
        if (t == char.class) return '\0';
        if (t == byte.class) return (byte) 0;
        if (t == short.class) return (short) 0;
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == float.class) return 0f;
        return 0d;
    }

    public String owner() {
        return owner;
    }

    public String name() {
        return name;
    }

    public String descriptor() {
        return descriptor;
    }

    public boolean isStatic() {
        return isStatic;
    }

    /** The field's declared type. */
    public Class<?> type() {
        return type;
    }

    /** Sets the initialiser if none was set (a later patch re-adding the field keeps the first one). */
    void offerInitializer(MethodHandle init) {
        if (initializer == null && init != null) {
            initializer = init;
        }
    }

    public Object get(Object self) {
        return cell(self).value;
    }

    public void put(Object self, Object value) {
        Objects.requireNonNull(self, "self");
        Cell c = cells.get(self);
        if (c == null) {
            c = cells.computeIfAbsent(self, k -> new Cell(value));
        }
        c.value = value;
    }

    public Object getStatic() {
        return staticCell().value;
    }

    public void putStatic(Object value) {
        staticCell().value = value;
    }

    /** Objects that currently have a value (for status and tests). */
    public int size() {
        return cells.size();
    }

    private Cell cell(Object self) {
        if (self == null) {
            throw new NullPointerException("cannot read shadow field " + describe() + " of null");
        }
        Cell c = cells.get(self);
        return c != null ? c : cells.computeIfAbsent(self, k -> new Cell(initialValue(k)));
    }

    private Cell staticCell() {
        Cell c = staticCell;
        if (c == null) {
            synchronized (this) {
                c = staticCell;
                if (c == null) {
                    staticCell = c = new Cell(initialValue(null));
                }
            }
        }
        return c;
    }

    private Object initialValue(Object self) {
        MethodHandle init = initializer;
        if (init == null) {
            return defaultValue;
        }
        try {
            return isStatic ? init.invoke() : init.invoke(self);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("initialiser of shadow field " + describe() + " failed", t);
        }
    }

    public String describe() {
        return (isStatic ? "static " : "") + owner.replace('/', '.') + "." + name + ":" + descriptor;
    }

    @Override
    public String toString() {
        return "ShadowField[" + describe() + "]";
    }
}

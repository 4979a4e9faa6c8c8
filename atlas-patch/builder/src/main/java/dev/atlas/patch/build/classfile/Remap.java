package dev.atlas.patch.build.classfile;

import dev.atlas.patch.classfile.CanonicalCode;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Applies a class renaming (internal name to internal name) to descriptors, constants and
 * generic signatures.
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=remap}
 *
 * <p>Implementation notes: immutable; names missing from the mapping stay as they are.
 * Signatures are rewritten textually ({@code L<name>;} and {@code L<name><}), which is
 * exact for the names of a mapping (class names never contain {@code ;} or {@code <}).
 */
public final class Remap {
    private final Map<String, String> names;

    private Remap(Map<String, String> names) {
        this.names = Map.copyOf(names);
    }

    /** A remapping with the given pairs. */
    public static Remap of(Map<String, String> names) {
        return new Remap(Objects.requireNonNull(names, "names"));
    }

    /** The mapping as a function on internal names. */
    public UnaryOperator<String> asFunction() {
        return n -> names.getOrDefault(n, n);
    }

    public String name(String internalName) {
        return names.getOrDefault(internalName, internalName);
    }

    public ClassDesc map(ClassDesc d) {
        if (d.isArray()) {
            return map(d.componentType()).arrayType();
        }
        if (d.isPrimitive()) {
            return d;
        }
        String n = CanonicalCode.internalName(d);
        String m = names.get(n);
        return m == null ? d : ClassDesc.ofInternalName(m);
    }

    public MethodTypeDesc map(MethodTypeDesc t) {
        ClassDesc[] params = t.parameterArray();
        for (int i = 0; i < params.length; i++) {
            params[i] = map(params[i]);
        }
        return MethodTypeDesc.of(map(t.returnType()), params);
    }

    public DirectMethodHandleDesc map(DirectMethodHandleDesc h) {
        String d = h.lookupDescriptor();
        return switch (h.kind()) {
            case GETTER, SETTER, STATIC_GETTER, STATIC_SETTER ->
                    MethodHandleDesc.ofField(h.kind(), map(h.owner()), h.methodName(), map(ClassDesc.ofDescriptor(d)));
            default -> MethodHandleDesc.ofMethod(h.kind(), map(h.owner()), h.methodName(), map(MethodTypeDesc.ofDescriptor(d)));
        };
    }

    public ConstantDesc map(ConstantDesc c) {
        return switch (c) {
            case ClassDesc d -> map(d);
            case MethodTypeDesc t -> map(t);
            case DirectMethodHandleDesc h -> map(h);
            case DynamicConstantDesc<?> d -> DynamicConstantDesc.ofNamed(map(d.bootstrapMethod()), d.constantName(),
                    map(d.constantType()), d.bootstrapArgsList().stream().map(this::map).toArray(ConstantDesc[]::new));
            default -> c;
        };
    }

    public DynamicCallSiteDesc map(DynamicCallSiteDesc s) {
        return DynamicCallSiteDesc.of(map((DirectMethodHandleDesc) s.bootstrapMethod()), s.invocationName(), map(s.invocationType()),
                java.util.Arrays.stream(s.bootstrapArgs()).map(this::map).toArray(ConstantDesc[]::new));
    }

    /** A generic signature with every mapped class name replaced. */
    public String signature(String signature) {
        String s = signature;
        for (Map.Entry<String, String> e : names.entrySet()) {
            s = s.replace("L" + e.getKey() + ";", "L" + e.getValue() + ";").replace("L" + e.getKey() + "<", "L" + e.getValue() + "<");
        }
        return s;
    }
}

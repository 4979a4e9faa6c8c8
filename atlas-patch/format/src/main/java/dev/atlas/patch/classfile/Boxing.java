package dev.atlas.patch.classfile;

import java.lang.classfile.CodeBuilder;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * Boxing and unboxing in generated code, for the places where a constructor call's arguments
 * travel in an {@code Object[]} (the builder's arguments methods, the agent's constructor
 * guards and re-routing guards).
 *
 * {@snippet lang=java :
 * Boxing.box(cb, ConstantDescs.CD_int);     // int on the stack -> Integer
 * Boxing.unbox(cb, ConstantDescs.CD_int);   // Object on the stack -> int
 * }
 *
 * <p>Stateless, thread-safe.
 */
public final class Boxing {
    private Boxing() {
    }

    /** The wrapper class of a primitive type ({@code I} to {@code java.lang.Integer}). */
    public static ClassDesc wrapper(ClassDesc primitive) {
        return switch (primitive.descriptorString()) {
            case "Z" -> ConstantDescs.CD_Boolean;
            case "B" -> ConstantDescs.CD_Byte;
            case "C" -> ConstantDescs.CD_Character;
            case "S" -> ConstantDescs.CD_Short;
            case "I" -> ConstantDescs.CD_Integer;
            case "J" -> ConstantDescs.CD_Long;
            case "F" -> ConstantDescs.CD_Float;
            case "D" -> ConstantDescs.CD_Double;
            default -> throw new IllegalArgumentException(primitive.descriptorString() + " is not a primitive value type");
        };
    }

    /** A value of {@code type} on the stack becomes an {@code Object} (primitives boxed by {@code valueOf}). */
    public static void box(CodeBuilder b, ClassDesc type) {
        if (type.isPrimitive()) {
            ClassDesc w = wrapper(type);
            b.invokestatic(w, "valueOf", MethodTypeDesc.of(w, type));
        }
    }

    /** An {@code Object} on the stack becomes a value of {@code type} (a cast, or the wrapper's {@code xxxValue()}). */
    public static void unbox(CodeBuilder b, ClassDesc type) {
        if (!type.isPrimitive()) {
            if (!type.equals(ConstantDescs.CD_Object)) {
                b.checkcast(type);
            }
            return;
        }
        ClassDesc w = wrapper(type);
        b.checkcast(w);
        b.invokevirtual(w, type.displayName() + "Value", MethodTypeDesc.of(type));
    }
}

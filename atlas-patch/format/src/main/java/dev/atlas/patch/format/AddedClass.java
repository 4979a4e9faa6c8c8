package dev.atlas.patch.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * A class that only exists in the new build, renamed to {@code <name>$$AtlasPatch$<id8>},
 * defined by the runtime as an ordinary class through a lookup on {@code hostClassName}.
 *
 * @param className internal name of the renamed class
 * @param hostClassName an existing class of the same package and loader
 * @param bytes the class file
 */
public record AddedClass(String className, String hostClassName, byte[] bytes) {
    public AddedClass {
        Names.requireInternalName(className, "className");
        Names.requireInternalName(hostClassName, "hostClassName");
        if (!Names.packageOf(className).equals(Names.packageOf(hostClassName))) {
            throw new IllegalArgumentException("added class " + className + " and its host " + hostClassName
                    + " are not in the same package");
        }
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
    }

    /** A copy of the class file. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddedClass a && className.equals(a.className) && hostClassName.equals(a.hostClassName)
                && Arrays.equals(bytes, a.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, hostClassName, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "AddedClass[" + className + ", host " + hostClassName + ", " + bytes.length + " bytes]";
    }
}

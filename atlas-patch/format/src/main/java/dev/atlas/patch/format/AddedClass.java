package dev.atlas.patch.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * A class that only exists in the new build, renamed to {@code <name>$$AtlasPatch$<id8>},
 * defined by the runtime as an ordinary class of {@code hostClassName}'s loader: through a
 * lookup on the host when both are in one package, else in a package that is new to the old
 * build ({@link #inNewPackage()}), with the host's protection domain.
 *
 * @param className internal name of the renamed class
 * @param hostClassName an existing class of the same loader: of the same package, or, for a class
 *        in a package the old build does not have, any class of the old build
 * @param bytes the class file
 */
public record AddedClass(String className, String hostClassName, byte[] bytes) {
    public AddedClass {
        Names.requireInternalName(className, "className");
        Names.requireInternalName(hostClassName, "hostClassName");
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
    }

    /** Whether the class goes into a package the old build has no class in (not its host's). */
    public boolean inNewPackage() {
        return !Names.packageOf(className).equals(Names.packageOf(hostClassName));
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

package dev.atlas.patch.classfile;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run in a child JVM as agent and main: loads a class, retransforms it to get the bytes
 * HotSpot reconstitutes, and prints the fingerprints of the original and reconstituted
 * bytes ({@code original=<fp> reconstituted=<fp> sameBytes=<bool>}).
 */
public final class ReconstitutionProbe {
    private static volatile Instrumentation instrumentation;

    private ReconstitutionProbe() {
    }

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String binaryName = args[1];
        byte[] original = Files.readAllBytes(dir.resolve(binaryName.replace('.', '/') + ".class"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = Class.forName(binaryName, true, loader);
            c.getDeclaredMethods(); // link it
            AtomicReference<byte[]> seen = new AtomicReference<>();
            ClassFileTransformer t = new ClassFileTransformer() {
                @Override
                public byte[] transform(ClassLoader l, String name, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
                    if (redefined == c) {
                        seen.set(bytes.clone());
                    }
                    return null;
                }
            };
            instrumentation.addTransformer(t, true);
            instrumentation.retransformClasses(c);
            instrumentation.removeTransformer(t);
            byte[] reconstituted = seen.get();
            System.out.println("original=" + ClassFingerprint.of(original) + " reconstituted="
                    + ClassFingerprint.of(reconstituted) + " sameBytes=" + Arrays.equals(original, reconstituted));
            if (!ClassFingerprint.of(original).equals(ClassFingerprint.of(reconstituted))) {
                System.out.println("--- original\n" + ClassFingerprint.canonicalText(java.lang.classfile.ClassFile.of().parse(original)));
                System.out.println("--- reconstituted\n" + ClassFingerprint.canonicalText(java.lang.classfile.ClassFile.of().parse(reconstituted)));
            }
        }
    }
}

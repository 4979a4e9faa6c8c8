package dev.atlas.patch.classfile;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** TEMPORARY (replaced by the builder branch). */
public final class ClassFingerprint {
    private ClassFingerprint() {}

    public static String of(byte[] classBytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(classBytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

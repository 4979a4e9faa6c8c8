package dev.atlas.patch.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.MethodRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class files whose damage the ClassFile API only finds when a lazily parsed part is read
 * (an instruction's constant, a bootstrap argument) are refused while the patch is read, not
 * later in the agent, where the JDK's exception used to come back as "could not run command".
 */
class ClassBytesCheckTest {
    @TempDir
    Path tmp;

    /** A body class whose replaced$answer calls Object.hashCode through invokevirtual. */
    private static byte[] bodyCallingHashCode(String name) {
        return ClassFile.of().build(ClassDesc.ofInternalName(name), cb -> cb
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withMethodBody("replaced$answer", MethodTypeDesc.of(ConstantDescs.CD_int, ClassDesc.of("p.Foo")),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, code -> code.aload(0)
                                .invokevirtual(ConstantDescs.CD_Object, "hashCode", MethodTypeDesc.of(ConstantDescs.CD_int))
                                .ireturn()));
    }

    /** {@code bytes} with the invokevirtual's operand pointed at a UTF-8 entry (a valid index of the wrong kind). */
    private static byte[] invokeOperandOnAUtf8Entry(byte[] bytes) {
        ClassModel m = ClassFile.of().parse(bytes);
        int methodRef = -1;
        int utf8 = -1;
        for (PoolEntry e : m.constantPool()) {
            if (e instanceof MethodRefEntry r && r.name().stringValue().equals("hashCode")) {
                methodRef = e.index();
            } else if (e instanceof Utf8Entry && utf8 < 0) {
                utf8 = e.index();
            }
        }
        byte[] out = bytes.clone();
        int hits = 0;
        for (int i = 0; i + 2 < out.length; i++) {
            if ((out[i] & 0xff) == 0xB6 && (((out[i + 1] & 0xff) << 8) | (out[i + 2] & 0xff)) == methodRef) {
                out[i + 1] = (byte) (utf8 >> 8);
                out[i + 2] = (byte) utf8;
                hits++;
            }
        }
        assertTrue(hits == 1, "one invokevirtual #" + methodRef + " expected, found " + hits);
        return out;
    }

    @Test
    void anInstructionNamingAConstantOfTheWrongKindIsRefusedWhenThePatchIsRead() throws Exception {
        String id8 = PatchIds.PLACEHOLDER_ID.substring(0, 8);
        byte[] good = bodyCallingHashCode("p/Foo$$AtlasPatch$" + id8);
        ClassFile.of().parse(invokeOperandOnAUtf8Entry(good)).methods().getFirst().code().orElseThrow()
                .forEach(e -> { });   // iterating the code alone does not see the damage
        ClassPatch foo = new ClassPatch("p/Foo", "a".repeat(64), "b".repeat(64),
                List.of(MethodChange.of(MethodChange.Kind.REPLACED, "answer", "()I", false)), List.of(),
                invokeOperandOnAUtf8Entry(good), null);
        Patch patch = PatchIds.assign(new Patch(1, PatchIds.PLACEHOLDER_ID, "damaged", List.of(foo), List.of()));
        Path file = tmp.resolve("damaged.atlaspatch");
        PatchFile.write(patch, file);
        MalformedPatchException e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains("body/p/Foo.class") && e.getMessage().contains("not a valid class file"),
                e.getMessage());

        ClassPatch fine = new ClassPatch("p/Foo", "a".repeat(64), "b".repeat(64), foo.methods(), List.of(), good, null);
        Patch ok = PatchIds.assign(new Patch(1, PatchIds.PLACEHOLDER_ID, "fine", List.of(fine), List.of()));
        PatchFile.write(ok, file);
        PatchFile.read(file);   // the same class undamaged reads
    }
}

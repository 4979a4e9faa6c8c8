package dev.atlas.cli.patch.it;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.constant.ClassDesc;
import java.lang.reflect.AccessFlag;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A patch between two compiled versions of {@link ShopApp}, made by hand with the ClassFile
 * API exactly as docs/design/patch-contract.md says (the static methods whose code changes
 * get a body class each); stands in for the patch builder in these tests.
 */
final class HandPatch {
    private HandPatch() {}

    /** Writes the patch from {@code oldDir} to {@code newDir} to {@code out}. */
    static Patch write(Path oldDir, Path newDir, Path out, String description) throws IOException {
        List<ClassPatch> classes = new ArrayList<>();
        for (String c : ShopApp.CHANGED) {
            byte[] oldBytes = ShopApp.classBytes(oldDir, c);
            byte[] newBytes = ShopApp.classBytes(newDir, c);
            ClassModel oldModel = ClassFile.of().parse(oldBytes);
            ClassModel newModel = ClassFile.of().parse(newBytes);
            List<MethodModel> changed = new ArrayList<>();
            for (MethodModel m : newModel.methods()) {
                if (m.flags().has(AccessFlag.STATIC) && !m.methodName().equalsString("<clinit>")
                        && !sameCode(m, find(oldModel, m))) {
                    changed.add(m);
                }
            }
            String body = c + "$$AtlasPatch$" + PatchIds.PLACEHOLDER_ID.substring(0, 8);
            byte[] bodyBytes = ClassFile.of().build(ClassDesc.ofInternalName(body), cb -> {
                cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
                for (MethodModel m : changed) {
                    CodeModel code = m.code().orElseThrow();
                    cb.withMethodBody(MethodChange.bodyMethodNameFor(MethodChange.Kind.REPLACED, m.methodName().stringValue()),
                            m.methodTypeSymbol(), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                                for (CodeElement e : code) {
                                    b.with(e);
                                }
                            });
                }
            });
            List<MethodChange> changes = changed.stream().map(m -> MethodChange.of(MethodChange.Kind.REPLACED,
                    m.methodName().stringValue(), m.methodType().stringValue(), true)).toList();
            classes.add(new ClassPatch(c, ClassFingerprint.of(oldBytes), ClassFingerprint.of(newBytes), changes, List.of(),
                    bodyBytes, null));
        }
        Patch p = PatchIds.assign(new Patch(Patch.FORMAT_VERSION, PatchIds.PLACEHOLDER_ID, description, classes, List.of()));
        PatchFile.write(p, out);
        return p;
    }

    private static MethodModel find(ClassModel model, MethodModel like) {
        return model.methods().stream().filter(m -> m.methodName().equals(like.methodName())
                && m.methodType().equals(like.methodType())).findFirst().orElseThrow();
    }

    private static boolean sameCode(MethodModel a, MethodModel b) {
        return render(a).equals(render(b));
    }

    private static String render(MethodModel m) {
        StringBuilder sb = new StringBuilder();
        m.code().ifPresent(c -> c.forEach(e -> sb.append(e).append('\n')));
        return sb.toString();
    }
}

package dev.atlas.patch.build;

import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.StaticStateSummary;
import java.io.IOException;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code atlas patch inspect}: what a patch changes, in readable Java-like form.
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=patch-description}
 *
 * <p>Implementation notes: pure formatting of the model; {@link #render(Path)} adds the
 * recorded signer, which it does not verify ({@code PatchVerifier} does).
 */
public final class PatchDescription {
    private PatchDescription() {
    }

    /** Describes a patch file, including whether it is signed and by whom (unverified). */
    public static String render(Path patchFile) throws IOException, MalformedPatchException {
        Patch patch = PatchFile.read(patchFile);
        Optional<X509Certificate> signer = PatchFile.recordedSigner(patchFile);
        return render(patch, signer.map(c -> "signed by " + c.getSubjectX500Principal().getName()
                + " (not verified by inspect)").orElse("unsigned"));
    }

    /** Describes a patch model (its signature is not part of the model: shown as not known). */
    public static String render(Patch patch) {
        return render(patch, "not known (describe the file to see it)");
    }

    private static String render(Patch patch, String signature) {
        StringBuilder sb = new StringBuilder();
        sb.append("Patch ").append(patch.id()).append(" (format ").append(patch.formatVersion()).append(")");
        if (!patch.description().isEmpty()) {
            sb.append(": ").append(patch.description().replace("\n", " "));
        }
        sb.append('\n').append("Signature: ").append(signature).append('\n');
        if (patch.isEmpty()) {
            sb.append("No code changes.\n");
            resources(patch, sb);
            return sb.toString();
        }
        sb.append("Changed classes (").append(patch.classes().size()).append("):\n");
        for (ClassPatch c : patch.classes()) {
            sb.append("  ").append(javaName(c.className())).append('\n');
            sb.append("    expects  ").append(c.expectedFingerprint()).append('\n');
            sb.append("    new      ").append(c.newFingerprint()).append('\n');
            for (MethodChange m : c.methods()) {
                sb.append("    ").append(m.kind() == MethodChange.Kind.REPLACED ? "replaced  " : "added     ")
                        .append(signature(m)).append('\n');
            }
            for (FieldAddition f : c.addedFields()) {
                sb.append("    field     + ").append(f.isStatic() ? "static " : "").append(type(ClassDesc.ofDescriptor(f.descriptor())))
                        .append(' ').append(f.name())
                        .append(f.initializerMethod() == null ? " (default value)"
                                : " = " + f.initializerMethod() + (f.isStatic() ? "()" : "(this)"))
                        .append('\n');
            }
            if (c.transferHook() != null) {
                boolean rerun = c.methods().stream().anyMatch(m -> m.kind() == MethodChange.Kind.ADDED
                        && m.name().equals(StaticStateSummary.INITIALIZER));
                sb.append("    transfer  ").append(c.transferHook()).append(rerun
                        ? "() runs once at apply, in the new view (there the new static initialiser runs: Static state below)\n"
                        : "() runs once at apply; the static initialiser is not re-run\n");
            }
            if (c.bodyClass() != null) {
                sb.append("    body      ").append(javaName(patch.bodyClassName(c.className()))).append(" (")
                        .append(c.bodyClass().length).append(" bytes)\n");
            }
        }
        if (patch.classes().stream().anyMatch(c -> c.methods().stream().anyMatch(m -> m.kind() == MethodChange.Kind.ADDED))) {
            sb.append(MethodChange.ADDED_METHODS_REACH).append('\n');
        }
        if (patch.classes().stream().anyMatch(c -> c.addedFields().stream().anyMatch(FieldAddition::declaredByRelease))) {
            sb.append(FieldAddition.ADDED_FIELDS_REACH).append('\n');
        }
        if (!patch.addedClasses().isEmpty()) {
            sb.append("Added classes (").append(patch.addedClasses().size()).append("):\n");
            for (AddedClass a : patch.addedClasses()) {
                sb.append("  ").append(javaName(a.className())).append(a.inNewPackage() ? " (in a package new to the "
                                + "old release, defined in the class loader of " : " (defined through ")
                        .append(javaName(a.hostClassName())).append(", ").append(a.bytes().length).append(" bytes)\n");
            }
            sb.append("Each is defined under its own name (without $$AtlasPatch$<id>) where its class loader has no class "
                    + "of that name, as code loaded later expects, else as named here (the apply reply says which and why); "
                    + "view-statics holders always as named here.\n");
        }
        List<String> state = StaticStateSummary.lines(patch);
        if (!state.isEmpty()) {
            sb.append("Static state:\n");
            state.forEach(l -> sb.append("  ").append(l).append('\n'));
        }
        List<String> monitors = dev.atlas.patch.format.MonitorNotes.lines(patch);
        if (!monitors.isEmpty()) {
            sb.append("Monitors kept (methods the new release no longer declares synchronized):\n");
            monitors.forEach(l -> sb.append("  ").append(l).append('\n'));
        }
        List<String> rebuilt = dev.atlas.patch.format.ObjectRebuilds.lines(patch);
        if (!rebuilt.isEmpty()) {
            sb.append("Objects rebuilt (the operator's --rebuild-objects: the methods reset the state from scratch; the class's "
                    + "constructors are replaced by their own new code, which marks the objects the new view makes):\n");
            rebuilt.forEach(l -> sb.append("  ").append(l).append('\n'));
        }
        resources(patch, sb);
        return sb.toString();
    }

    private static void resources(Patch patch, StringBuilder sb) {
        if (!patch.unappliedChanges().isEmpty()) {
            sb.append("Reported, NOT applied (").append(patch.unappliedChanges().size()).append("; each line says what the running JVM "
                    + "keeps):\n");
            patch.unappliedChanges().forEach(u -> sb.append("  ").append(u).append('\n'));
        }
        if (!patch.uncarriedResources().isEmpty()) {
            sb.append("Resources NOT carried (").append(patch.uncarriedResources().size()).append("; the new release adds, "
                    + "changes or removes them, and code in every view, patched code included, reads the running "
                    + "release's):\n");
            patch.uncarriedResources().forEach(r -> sb.append("  ").append(r).append('\n'));
        }
    }

    static String signature(MethodChange m) {
        MethodTypeDesc t = MethodTypeDesc.ofDescriptor(m.descriptor());
        return (m.isStatic() ? "static " : "") + type(t.returnType()) + " " + m.name()
                + t.parameterList().stream().map(PatchDescription::type).collect(Collectors.joining(", ", "(", ")"));
    }

    static String type(ClassDesc d) {
        if (d.isArray()) {
            return type(d.componentType()) + "[]";
        }
        if (d.isPrimitive()) {
            return d.displayName();
        }
        String n = javaName(d.descriptorString().substring(1, d.descriptorString().length() - 1));
        return n.startsWith("java.lang.") && n.indexOf('.', "java.lang.".length()) < 0 ? n.substring("java.lang.".length()) : n;
    }

    private static String javaName(String internalName) {
        return internalName.replace('/', '.');
    }
}

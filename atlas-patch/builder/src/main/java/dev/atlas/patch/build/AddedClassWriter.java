package dev.atlas.patch.build;

import java.lang.classfile.ClassElement;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Interfaces;
import java.lang.classfile.MethodElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Superclass;
import java.lang.classfile.AccessFlags;
import java.lang.classfile.attribute.EnclosingMethodAttribute;
import java.lang.classfile.attribute.ExceptionsAttribute;
import java.lang.classfile.attribute.InnerClassInfo;
import java.lang.classfile.attribute.InnerClassesAttribute;
import java.lang.classfile.attribute.NestHostAttribute;
import java.lang.classfile.attribute.NestMembersAttribute;
import java.lang.classfile.attribute.SignatureAttribute;
import java.lang.constant.ClassDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an added class under its new name ({@code <name>$$AtlasPatch$<id8>}) with every
 * reference mapped and links to patched classes' new members rewritten.
 *
 * <p>Implementation notes: the class is defined as an ordinary class, not a nestmate of
 * anything, so {@code NestHost}/{@code NestMembers} and {@code EnclosingMethod} are dropped
 * and {@code InnerClasses} keeps only entries that do not involve a renamed class, or
 * relate two renamed classes; reflection then sees it as a top-level class. Private
 * constructors become package-private (new code of its former nestmates calls them; a
 * constructor is never dispatched virtually, so nothing else changes).
 */
final class AddedClassWriter {
    private AddedClassWriter() {
    }

    /**
     * The added classes in an order the runtime can define them in: each after the added
     * classes it extends or implements (defining a class loads its supertypes, and an added one
     * exists only once defined), and, where no cycle prevents it, after the other added classes
     * it names (the agent's {@code Lookup.defineClass} links the class it defines, and the
     * verifier loads the classes whose assignability it checks: commons-compress 1.16's
     * {@code Coders$Deflate64Decoder} returns a new {@code Deflate64CompressorInputStream} as an
     * {@code InputStream}); otherwise by name. Classes that name each other are defined in name
     * order, the supertype rule kept.
     */
    static List<String> supertypesFirst(java.util.Collection<String> added, java.util.Map<String, ClassModel> models) {
        java.util.Set<String> names = new java.util.HashSet<>(added);
        DefinitionOrder o = new DefinitionOrder(names, models);
        for (String n : new java.util.TreeSet<>(added)) {
            o.place(n);
        }
        return o.order;
    }

    /** The depth-first placement behind {@link #supertypesFirst}. Single use. */
    private static final class DefinitionOrder {
        private static final java.util.regex.Pattern NAMED = java.util.regex.Pattern.compile("L([^;<>()\\[]+);");
        private final java.util.Set<String> added;
        private final java.util.Map<String, ClassModel> models;
        private final java.util.Set<String> placed = new java.util.HashSet<>();
        private final java.util.Set<String> inProgress = new java.util.HashSet<>();
        final List<String> order = new ArrayList<>();

        DefinitionOrder(java.util.Set<String> added, java.util.Map<String, ClassModel> models) {
            this.added = added;
            this.models = models;
        }

        void place(String n) {
            if (placed.contains(n) || !inProgress.add(n)) {
                return;   // placed, or being placed (a cycle of names; of supertypes none occurs in valid class files)
            }
            List<String> supertypes = supertypes(n);
            supertypes.forEach(this::place);
            for (String r : named(n)) {
                if (!supertypes.contains(r) && !reachesInProgress(r, new java.util.HashSet<>())) {
                    place(r);
                }
            }
            inProgress.remove(n);
            placed.add(n);
            order.add(n);
        }

        /** Whether placing {@code r} would need a class being placed first (through its supertypes). */
        private boolean reachesInProgress(String r, java.util.Set<String> seen) {
            if (inProgress.contains(r)) {
                return true;
            }
            if (!seen.add(r) || placed.contains(r)) {
                return false;
            }
            for (String s : supertypes(r)) {
                if (reachesInProgress(s, seen)) {
                    return true;
                }
            }
            return false;
        }

        private List<String> supertypes(String n) {
            ClassModel m = models.get(n);
            List<String> out = new ArrayList<>();
            if (m != null) {
                m.superclass().map(e -> e.asInternalName()).filter(added::contains).ifPresent(out::add);
                m.interfaces().stream().map(e -> e.asInternalName()).filter(added::contains).forEach(out::add);
            }
            return out;
        }

        /** The other added classes that {@code n}'s constant pool names (class entries and descriptors), by name. */
        private java.util.SortedSet<String> named(String n) {
            java.util.SortedSet<String> out = new java.util.TreeSet<>();
            ClassModel m = models.get(n);
            if (m == null) {
                return out;
            }
            for (java.lang.classfile.constantpool.PoolEntry e : m.constantPool()) {
                if (e instanceof java.lang.classfile.constantpool.Utf8Entry u) {
                    String s = u.stringValue();
                    if (added.contains(s)) {
                        out.add(s);
                    } else if (s.indexOf(';') > 0) {
                        java.util.regex.Matcher x = NAMED.matcher(s);
                        while (x.find()) {
                            if (added.contains(x.group(1))) {
                                out.add(x.group(1));
                            }
                        }
                    }
                }
            }
            out.remove(n);
            return out;
        }
    }

    static byte[] write(ClassModel src, GenContext ctx) {
        String newName = ctx.remap.name(src.thisClass().asInternalName());
        CodeRewriter rewriter = new CodeRewriter(ctx, src, null);
        return ctx.classFile().build(ClassDesc.ofInternalName(newName), clb -> {
            for (ClassElement ce : src) {
                switch (ce) {
                    case Superclass s -> clb.withSuperclass(ctx.remap.map(s.superclassEntry().asSymbol()));
                    case Interfaces i -> clb.withInterfaceSymbols(i.interfaces().stream()
                            .map(x -> ctx.remap.map(x.asSymbol())).toList());
                    case FieldModel f -> clb.withField(f.fieldName().stringValue(), ctx.remap.map(f.fieldTypeSymbol()), fb -> {
                        for (FieldElement fe : f) {
                            switch (fe) {
                                case SignatureAttribute sig -> fb.with(SignatureAttribute.of(
                                        fb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                                default -> fb.with(fe);
                            }
                        }
                    });
                    case MethodModel m -> clb.withMethod(m.methodName().stringValue(), ctx.remap.map(m.methodTypeSymbol()),
                            m.methodName().equalsString("<init>") ? m.flags().flagsMask() & ~ClassFile.ACC_PRIVATE
                                    : m.flags().flagsMask(), mb -> {
                                for (MethodElement me : m) {
                                    switch (me) {
                                        case AccessFlags af -> {
                                        }
                                        case CodeModel code -> mb.transformCode(code, rewriter);
                                        case SignatureAttribute sig -> mb.with(SignatureAttribute.of(
                                                mb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                                        case ExceptionsAttribute ex -> mb.with(ExceptionsAttribute.ofSymbols(
                                                ex.exceptions().stream().map(x -> ctx.remap.map(x.asSymbol())).toList()));
                                        default -> mb.with(me);
                                    }
                                }
                            });
                    case InnerClassesAttribute ic -> {
                        List<InnerClassInfo> kept = new ArrayList<>();
                        for (InnerClassInfo info : ic.classes()) {
                            String inner = info.innerClass().asInternalName();
                            String outer = info.outerClass().map(o -> o.asInternalName()).orElse(null);
                            boolean innerRenamed = !ctx.remap.name(inner).equals(inner);
                            boolean outerRenamed = outer != null && !ctx.remap.name(outer).equals(outer);
                            if (!innerRenamed && !outerRenamed) {
                                kept.add(info);
                            } else if (innerRenamed && outerRenamed) {
                                kept.add(InnerClassInfo.of(ctx.remap.map(info.innerClass().asSymbol()),
                                        java.util.Optional.of(ctx.remap.map(info.outerClass().get().asSymbol())),
                                        info.innerName().map(n -> n.stringValue()), info.flagsMask()));
                            }
                        }
                        if (!kept.isEmpty()) {
                            clb.with(InnerClassesAttribute.of(kept));
                        }
                    }
                    case NestHostAttribute nh -> {
                    }
                    case NestMembersAttribute nm -> {
                    }
                    case EnclosingMethodAttribute em -> {
                    }
                    case SignatureAttribute sig -> clb.with(SignatureAttribute.of(
                            clb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                    // a Java 5/6 class file (before 51) may not hold the invokedynamic the rewritten code links
                    // through, and the class-file API verifies only type-checked (stack map) code: raised to 51
                    // with generated stack maps, as the agent raises such classes it instruments
                    case java.lang.classfile.ClassFileVersion v when v.majorVersion() < ClassFile.JAVA_7_VERSION ->
                            clb.withVersion(ClassFile.JAVA_7_VERSION, 0);
                    default -> clb.with(ce);
                }
            }
        });
    }
}

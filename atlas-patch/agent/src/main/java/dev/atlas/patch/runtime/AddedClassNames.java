package dev.atlas.patch.runtime;

import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which name each class a patch adds takes in one class loader, and the rewrite that gives
 * the patch's code (its added classes, its body classes, the descriptors of its manifest)
 * those names.
 *
 * <p>A patch file names every added class {@code R$$AtlasPatch$<id8>} (its renamed form,
 * unique to the patch). In a loader, an added class takes its own name {@code R} when
 * <ul>
 * <li>no class of that name is reachable through the loader ({@code Class.forName} finds
 *     none), or</li>
 * <li>the class of that name is the one this same patch defined there before, from the same
 *     bytes (a re-apply after a rollback reuses it, with the static state it has).</li>
 * </ul>
 * Otherwise it keeps its renamed form, and {@link #lines()} says why: the loader has a class
 * of that name of its own (from its class path or a parent), or another patch, or this patch
 * with other content, defined it under that name (a loader holds one class per name, and an
 * ordinary class never unloads while its loader lives). The view-statics holders the builder
 * generates ({@code C$atlas$ViewStatics}) are no class of the new release and always keep
 * the renamed form, so that each patch's new-view statics stay its own.
 *
 * <p>Under its own name an added class is what the new release's code loaded after the
 * apply expects: the new release's tests, classes loaded later, {@code Class.forName} by name
 * all reach it. The old release's code never names such a class (it is not in the old
 * build); only a lookup by name from the old view (reflection, or code loaded after a
 * rollback) can tell that it exists, and then finds the new release's class.
 *
 * <p>Implementation notes: the rewrite is on the constant pool's UTF-8 entries, which hold
 * every class name, descriptor, signature and string constant of a class file; everything
 * after the constant pool refers to entries by index, so entries may change length. An
 * occurrence of {@code $$AtlasPatch$<id8>} is removed where the characters before it are the
 * full internal name of an added class that takes its own name (the name starts the entry or
 * follows a character that cannot be part of a name, or a descriptor's {@code L}). Names and
 * marker are ASCII, which modified UTF-8 encodes as themselves, so this works on the bytes.
 *
 * <p>Threading: made and used by the preparing thread only.
 */
final class AddedClassNames {
    private static final String MARKER = "$$AtlasPatch$";
    private static final String HOLDER = "$atlas$ViewStatics";
    private static final String ADDED_STATICS = dev.atlas.patch.format.StaticStateSummary.ADDED_STATICS_HOLDER;

    /** What a class defined under its own name was defined from (kept by {@link Linkage}). */
    record Source(String patchId, byte[] bytes) {}

    private final String suffix;                       // $$AtlasPatch$<id8>
    private final java.util.Set<String> own = new java.util.HashSet<>();   // real internal names that take their own name
    private final Map<String, String> lines = new LinkedHashMap<>();      // by real name

    private AddedClassNames(String suffix) {
        this.suffix = suffix;
    }

    /** No added class takes its own name (nothing is rewritten). */
    static AddedClassNames none(Patch patch) {
        return new AddedClassNames(MARKER + patch.id8());
    }

    /**
     * Decides the names of {@code patch}'s added classes in {@code loader}.
     *
     * @param fixups makes the links to earlier patches' members in an added class's bytes, as
     *               before its definition (to compare with what a class was defined from)
     */
    static AddedClassNames choose(Patch patch, ClassLoader loader, MemberFixups fixups) {
        AddedClassNames n = new AddedClassNames(MARKER + patch.id8());
        Map<String, Class<?>> reused = new LinkedHashMap<>();
        for (AddedClass ac : patch.addedClasses()) {
            String real = n.realName(ac.className());
            if (real == null) {
                continue;   // not in the renamed form (a hand-made patch): defined as it is named
            }
            if (real.endsWith(HOLDER) || real.endsWith(ADDED_STATICS)) {
                n.lines.put(real, dotted(real) + ": the new view's statics, defined as " + dotted(ac.className())
                        + " (each patch's own)");
                continue;
            }
            Class<?> existing = findOrNull(real, loader);
            if (existing == null) {
                n.own.add(real);
            } else if (Linkage.addedSource(existing) == null) {
                n.lines.put(real, dotted(real) + ": defined as " + dotted(ac.className()) + ", because its class loader "
                        + "already has a class of that name (" + origin(existing) + "): code loaded later that names "
                        + dotted(real) + " gets that class, not the new release's");
            } else {
                n.own.add(real);
                reused.put(real, existing);
            }
        }
        // a class defined before is reused only if this patch defined it and its bytes are the same under the
        // names chosen now (which depend on the other classes' names): repeated until nothing changes
        boolean changed = true;
        while (changed) {
            changed = false;
            for (AddedClass ac : patch.addedClasses()) {
                String real = n.realName(ac.className());
                Class<?> existing = real == null ? null : reused.get(real);
                if (existing == null || !n.own.contains(real)) {
                    continue;
                }
                Source was = Linkage.addedSource(existing);
                if (!was.patchId().equals(patch.id())) {
                    n.refuseOwn(real, ac, "patch " + was.patchId() + " defined a class of that name in its class loader "
                            + "(a loader keeps one class per name, with its static state)");
                    changed = true;
                } else if (!Arrays.equals(was.bytes(), n.bytes(fixups.apply(loader, ac.bytes())))) {
                    n.refuseOwn(real, ac, "an earlier apply of this patch defined a class of that name with other "
                            + "content in its class loader");
                    changed = true;
                }
            }
        }
        for (String real : n.own) {
            n.lines.put(real, dotted(real) + ": defined under its own name" + (reused.containsKey(real)
                    ? " (the class an earlier apply of this patch defined, with the static state it has)" : ""));
        }
        return n;
    }

    private void refuseOwn(String real, AddedClass ac, String why) {
        own.remove(real);
        lines.put(real, dotted(real) + ": defined as " + dotted(ac.className()) + ", because " + why
                + ": code loaded later that names " + dotted(real) + " gets that class, not this patch's");
    }

    /** The name {@code ac} is defined under in this loader (internal form). */
    String name(AddedClass ac) {
        String real = realName(ac.className());
        return real != null && own.contains(real) ? real : ac.className();
    }

    /** Whether {@code ac} takes its own name here. */
    boolean ownName(AddedClass ac) {
        String real = realName(ac.className());
        return real != null && own.contains(real);
    }

    /** One line per added class: the name it has in this loader, and why when it is not its own. */
    List<String> lines() {
        return List.copyOf(lines.values());
    }

    /** {@code cp} with the descriptors of its manifest naming added classes as they are named here. */
    ClassPatch classPatch(ClassPatch cp) {
        if (own.isEmpty()) {
            return cp;
        }
        List<MethodChange> methods = new ArrayList<>();
        for (MethodChange m : cp.methods()) {
            methods.add(new MethodChange(m.kind(), m.name(), descriptor(m.descriptor()), m.isStatic(),
                    m.bodyMethodName(), m.initCall() == null ? null : descriptor(m.initCall())));
        }
        List<FieldAddition> fields = new ArrayList<>();
        for (FieldAddition f : cp.addedFields()) {
            fields.add(new FieldAddition(f.name(), descriptor(f.descriptor()), f.isStatic(), f.initializerMethod()));
        }
        return new ClassPatch(cp.className(), cp.expectedFingerprint(), cp.newFingerprint(), methods, fields,
                cp.bodyClass(), cp.transferHook());
    }

    /** A descriptor, signature or name with the added classes named as they are here. */
    String descriptor(String s) {
        if (own.isEmpty() || !s.contains(suffix)) {
            return s;
        }
        return new String(rename(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /**
     * A class file with the added classes named as they are here; the same array when nothing changes.
     *
     * @throws IllegalArgumentException if the bytes are not a class file's constant pool
     */
    byte[] bytes(byte[] classFile) {
        if (own.isEmpty()) {
            return classFile;
        }
        if (classFile.length < 10 || (classFile[0] & 0xff) != 0xCA || (classFile[1] & 0xff) != 0xFE
                || (classFile[2] & 0xff) != 0xBA || (classFile[3] & 0xff) != 0xBE) {
            throw new IllegalArgumentException("not a class file (no CAFEBABE)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(classFile.length);
        out.write(classFile, 0, 10);
        int count = u2(classFile, 8);
        int p = 10;
        boolean changed = false;
        for (int i = 1; i < count; i++) {
            int tag = classFile[p] & 0xff;
            int size;
            switch (tag) {
                case 1 -> {   // Utf8
                    int len = u2(classFile, p + 1);
                    byte[] text = Arrays.copyOfRange(classFile, p + 3, p + 3 + len);
                    byte[] renamed = rename(text);
                    if (renamed != text) {
                        if (renamed.length > 0xffff) {
                            throw new IllegalArgumentException("a renamed constant is too long");
                        }
                        changed = true;
                        out.write(1);
                        out.write(renamed.length >>> 8);
                        out.write(renamed.length & 0xff);
                        out.write(renamed, 0, renamed.length);
                        p += 3 + len;
                        continue;
                    }
                    size = 3 + len;
                }
                case 7, 8, 16, 19, 20 -> size = 3;   // Class, String, MethodType, Module, Package
                case 15 -> size = 4;                 // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> size = 5;
                case 5, 6 -> size = 9;               // Long, Double: two slots
                default -> throw new IllegalArgumentException("constant pool tag " + tag + " at entry " + i);
            }
            out.write(classFile, p, size);
            p += size;
            if (tag == 5 || tag == 6) {
                i++;
            }
        }
        if (!changed) {
            return classFile;
        }
        out.write(classFile, p, classFile.length - p);
        return out.toByteArray();
    }

    /** {@code text} with the suffix removed after every added class that takes its own name; the same array if none. */
    private byte[] rename(byte[] text) {
        byte[] marker = suffix.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = indexOf(text, marker, 0); i >= 0; i = indexOf(text, marker, i + marker.length)) {
            int after = i + marker.length;
            if ((after == text.length || !isNameByte(text[after])) && ownNameEndsAt(text, i)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(text.length);
                }
                out.write(text, copied, i - copied);
                copied = i + marker.length;
            }
        }
        if (out == null) {
            return text;
        }
        out.write(text, copied, text.length - copied);
        return out.toByteArray();
    }

    /**
     * Whether the bytes before {@code end} are, whole, the internal name of a class that takes its
     * own name: they end with it, and before it is the start, a character that cannot be part of
     * a name, or a descriptor's {@code L} (which may follow other type letters: {@code (DLpkg/Name;)}).
     */
    private boolean ownNameEndsAt(byte[] text, int end) {
        for (String n : own) {
            byte[] name = n.getBytes(StandardCharsets.UTF_8);
            int start = end - name.length;
            if (start < 0 || !regionEquals(text, start, name)) {
                continue;
            }
            if (start == 0 || !isNameByte(text[start - 1]) || text[start - 1] == 'L') {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] text, int from, byte[] part) {
        for (int i = 0; i < part.length; i++) {
            if (text[from + i] != part[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameByte(byte b) {
        return (b & 0x80) != 0 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '_' || b == '$' || b == '/';
    }

    private static int indexOf(byte[] text, byte[] marker, int from) {
        outer:
        for (int i = from; i + marker.length <= text.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (text[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The real name of a renamed added class of this patch, or null if the name is not in the renamed form. */
    private String realName(String className) {
        return className.endsWith(suffix) && className.length() > suffix.length()
                ? className.substring(0, className.length() - suffix.length()) : null;
    }

    private static Class<?> findOrNull(String internalName, ClassLoader loader) {
        try {
            return Class.forName(dotted(internalName), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;   // a class that is there but does not link is not the new release's either: but the name is
                           // then taken; defining it again fails, which the definition reports
        }
    }

    private static String origin(Class<?> c) {
        java.security.CodeSource cs = c.getProtectionDomain() == null ? null : c.getProtectionDomain().getCodeSource();
        if (cs != null && cs.getLocation() != null) {
            return "from " + cs.getLocation();
        }
        ClassLoader l = c.getClassLoader();
        return "defined by " + (l == null ? "the bootstrap class loader" : l.toString());
    }

    private static int u2(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}

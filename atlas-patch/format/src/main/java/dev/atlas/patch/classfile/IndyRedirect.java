package dev.atlas.patch.classfile;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Points every {@code invokedynamic} of a class at one static bootstrap method, by editing
 * the constant pool and the {@code BootstrapMethods} attribute only: the code of every
 * method stays byte for byte the same. Call site {@code k} (the {@code k}-th
 * {@code CONSTANT_InvokeDynamic} entry in pool order) then bootstraps through
 * {@code target(lookup, name, type, table, k)}.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=indy-redirect}
 *
 * <p>Why not the ClassFile API: a code transform rewrites each method and so regenerates its
 * stack maps ({@code StackMapGenerator}); on the serving JVM that pushed the JDK's class-file
 * code into C2 compilation at the patch instant (measured in the patch demo, ~200 ms of
 * compiler time). Nothing here depends on the code, so nothing has to be regenerated. For
 * the same reason it uses plain arrays and a {@code ByteBuffer}: it is code of the patch
 * path (see "The patch path in the serving JVM" in {@code ARCHITECTURE.md}).
 *
 * <p>Implementation notes: the pool and everything after it are copied as they are; new
 * pool entries (the bootstrap handle and its integer arguments) are appended at the end of
 * the pool, which leaves every existing index valid; each {@code CONSTANT_InvokeDynamic}
 * entry's {@code bootstrap_method_attr_index} is changed in place to a new entry appended to
 * {@code BootstrapMethods}. The original bootstrap entries stay, so dynamic constants
 * ({@code CONSTANT_Dynamic}) that use them are untouched. An entry shared by several
 * {@code invokedynamic} instructions stays shared: they get one call site.
 *
 * <pre>
 * magic minor major  count' [pool, indy entries re-pointed] [appended entries]
 * access this super interfaces fields methods   (copied)
 * attributes: ... BootstrapMethods' = [original entries] [target, table, k] for each k ... (others copied)
 * </pre>
 *
 * <p>Threading: stateless.
 */
public final class IndyRedirect {
    private static final int UTF8 = 1;
    private static final int INTEGER = 3;
    private static final int CLASS = 7;
    private static final int METHODREF = 10;
    private static final int NAME_AND_TYPE = 12;
    private static final int METHOD_HANDLE = 15;
    private static final int INVOKE_DYNAMIC = 18;
    private static final int REF_INVOKE_STATIC = 6;
    private static final String TARGET_TYPE = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
            + "Ljava/lang/invoke/MethodType;II)Ljava/lang/invoke/CallSite;";

    private IndyRedirect() {}

    /**
     * The redirected class.
     *
     * @param bytes the new class file (the same array if the class has no call site)
     * @param sites pool index, in the original class, of the entry of each call site
     */
    public record Result(byte[] bytes, int[] sites) {
        public Result {
            sites = sites.clone();
        }

        @Override
        public int[] sites() {
            return sites.clone();
        }
    }

    /**
     * Redirects every call site of {@code classBytes} to the static method
     * {@code owner.name(Lookup, String, MethodType, int, int)CallSite}.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed class file, or the
     *         pool has no room for the new entries (naming the reason)
     */
    public static Result redirect(byte[] classBytes, String owner, String name, int table) {
        try {
            return redirect0(classBytes, owner, name, table);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a class file (" + classBytes.length + " bytes): truncated or damaged", e);
        }
    }

    private static Result redirect0(byte[] b, String owner, String name, int table) {
        ByteBuffer in = ByteBuffer.wrap(b);
        if (in.getInt() != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file (" + b.length + " bytes): bad magic number");
        }
        in.getInt(); // minor, major
        int poolCount = Short.toUnsignedInt(in.getShort());
        int[] offset = new int[poolCount];   // of each entry's tag
        int[] indy = new int[poolCount];
        int indyCount = 0;
        for (int i = 1; i < poolCount; i++) {
            offset[i] = in.position();
            int tag = Byte.toUnsignedInt(in.get());
            switch (tag) {
                case UTF8 -> skip(in, Short.toUnsignedInt(in.getShort()));
                case CLASS, 8, 16, 19, 20 -> skip(in, 2);
                case METHOD_HANDLE -> skip(in, 3);
                case INTEGER, 4, 9, METHODREF, 11, NAME_AND_TYPE, 17 -> skip(in, 4);
                case INVOKE_DYNAMIC -> {
                    indy[indyCount++] = i;
                    skip(in, 4);
                }
                case 5, 6 -> {
                    skip(in, 8);
                    i++;   // longs and doubles take two slots
                }
                default -> throw new IllegalArgumentException("not a class file (" + b.length + " bytes): constant pool entry "
                        + i + " has unknown tag " + tag);
            }
        }
        int poolEnd = in.position();
        if (indyCount == 0) {
            return new Result(b, new int[0]);
        }
        skip(in, 6);                                       // access, this, super
        skip(in, 2 * Short.toUnsignedInt(in.getShort()));  // interfaces
        skipMembers(in);                                                      // fields
        skipMembers(in);                                                      // methods
        int attributes = Short.toUnsignedInt(in.getShort());
        int bsmStart = -1;
        int bsmEnd = -1;
        for (int a = 0; a < attributes; a++) {
            int start = in.position();
            int nameIndex = Short.toUnsignedInt(in.getShort());
            int length = in.getInt();
            skip(in, length);
            if (utf8(b, offset, nameIndex).equals("BootstrapMethods")) {
                bsmStart = start;
                bsmEnd = in.position();
            }
        }
        if (bsmStart < 0) {
            throw new IllegalArgumentException("not a class file (" + b.length + " bytes): it has invokedynamic entries but "
                    + "no BootstrapMethods attribute");
        }
        int originalBootstraps = Short.toUnsignedInt(ByteBuffer.wrap(b, bsmStart + 6, 2).getShort());

        // new pool entries: the target handle, the table, and one integer per call site
        byte[] ownerName = ascii(owner);
        byte[] methodName = ascii(name);
        byte[] typeName = ascii(TARGET_TYPE);
        int added = 8 + indyCount;
        if (poolCount + added > 0xFFFF || originalBootstraps + indyCount > 0xFFFF) {
            throw new IllegalArgumentException("class has " + poolCount + " constant pool entries and " + indyCount
                    + " call sites: no room for " + added + " more entries (at most 65535)");
        }
        int poolBytes = 3 * 3 + ownerName.length + methodName.length + typeName.length + 3 + 5 + 5 + 4 + 5 * (1 + indyCount);
        int bsmLength = ByteBuffer.wrap(b, bsmStart + 2, 4).getInt();
        // plain arrays and ByteBuffer only: no stream, no DataOutputStream (see the class comment)
        ByteBuffer out = ByteBuffer.allocate(b.length + poolBytes + 8 * indyCount);
        out.put(b, 0, 8);
        out.putShort((short) (poolCount + added));
        out.put(b, 10, poolEnd - 10);
        for (int k = 0; k < indyCount; k++) {   // bootstrap_method_attr_index follows the tag
            out.putShort(offset[indy[k]] + 1, (short) (originalBootstraps + k));   // same offsets as the input
        }
        int next = poolCount;
        int ownerUtf8 = next++;
        utf8(out, ownerName);
        int ownerClass = next++;
        out.put((byte) CLASS).putShort((short) ownerUtf8);
        int nameUtf8 = next++;
        utf8(out, methodName);
        int typeUtf8 = next++;
        utf8(out, typeName);
        int nameAndType = next++;
        out.put((byte) NAME_AND_TYPE).putShort((short) nameUtf8).putShort((short) typeUtf8);
        int methodRef = next++;
        out.put((byte) METHODREF).putShort((short) ownerClass).putShort((short) nameAndType);
        int handle = next++;
        out.put((byte) METHOD_HANDLE).put((byte) REF_INVOKE_STATIC).putShort((short) methodRef);
        int tableConstant = next++;
        out.put((byte) INTEGER).putInt(table);
        int firstSiteConstant = next;
        for (int k = 0; k < indyCount; k++) {
            out.put((byte) INTEGER).putInt(k);
        }
        out.put(b, poolEnd, bsmStart - poolEnd);
        out.put(b, bsmStart, 2);                       // attribute name
        out.putInt(bsmLength + 8 * indyCount);
        out.putShort((short) (originalBootstraps + indyCount));
        out.put(b, bsmStart + 8, bsmEnd - bsmStart - 8);
        for (int k = 0; k < indyCount; k++) {
            out.putShort((short) handle).putShort((short) 2).putShort((short) tableConstant)
                    .putShort((short) (firstSiteConstant + k));
        }
        out.put(b, bsmEnd, b.length - bsmEnd);
        if (out.hasRemaining()) {
            throw new IllegalStateException("IndyRedirect: " + out.remaining() + " bytes left over");
        }
        return new Result(out.array(), Arrays.copyOf(indy, indyCount));
    }

    private static byte[] ascii(String s) {
        byte[] a = new byte[s.length()];
        for (int i = 0; i < a.length; i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                throw new IllegalArgumentException("'" + s + "': expected a name in printable ASCII");
            }
            a[i] = (byte) c;
        }
        return a;
    }

    private static void utf8(ByteBuffer out, byte[] ascii) {
        out.put((byte) UTF8).putShort((short) ascii.length).put(ascii);
    }

    private static void skip(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        in.position(in.position() + n);
    }

    private static void skipMembers(ByteBuffer in) {
        int count = Short.toUnsignedInt(in.getShort());
        for (int m = 0; m < count; m++) {
            skip(in, 6);   // access, name, descriptor
            int attributes = Short.toUnsignedInt(in.getShort());
            for (int a = 0; a < attributes; a++) {
                skip(in, 2);
                int length = in.getInt();
                skip(in, length);
            }
        }
    }

    private static String utf8(byte[] b, int[] offset, int index) {
        if (index <= 0 || index >= offset.length || offset[index] == 0 || b[offset[index]] != UTF8) {
            throw new IllegalArgumentException("not a class file (" + b.length + " bytes): attribute name " + index
                    + " is not a Utf8 entry");
        }
        int at = offset[index];
        int length = ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
        return new String(b, at + 3, length, StandardCharsets.UTF_8);   // attribute names are ASCII
    }
}

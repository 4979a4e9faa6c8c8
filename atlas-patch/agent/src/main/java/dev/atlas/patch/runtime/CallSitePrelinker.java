package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.IndyRedirect;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ConstantPool;
import java.lang.classfile.constantpool.InvokeDynamicEntry;
import java.lang.classfile.constantpool.LoadableConstantEntry;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Links the {@code invokedynamic} call sites of a patch's new code before any thread runs
 * it: string concatenation, lambdas, and Atlas's own links are bootstrapped on the thread
 * that prepares the patch, not by the first request in the new view (measured in the
 * patch demo: bootstrapping on the request thread showed in the tail latency), and a
 * bootstrap that fails rejects the patch instead of failing a request later.
 *
 * <p>How: before the body class is defined, each of its {@code invokedynamic} constants is
 * re-pointed to bootstrap through {@link PatchLinker#prelinked} with a (table, index) key
 * ({@link IndyRedirect}: the pool and the bootstrap table change, the code does not, so no
 * stack map is regenerated on the serving JVM); once the class is defined, {@link #link}
 * runs the original bootstrap methods with the body class's own lookup (exactly what the
 * JVM would do) and stores the call sites under that key, where the redirected sites find
 * them. An {@code invokedynamic} entry shared by several instructions gets one call site
 * (every bootstrap a compiler emits returns a constant call site, so sharing it is safe).
 * Lambdas and method references are linked by {@link PatchLambdas} instead of the JDK's
 * {@code LambdaMetafactory}, whose lambda classes would keep the body class loaded.
 *
 * <p>Threading: rewrite and link run on the preparing thread; the table is published to
 * application threads by the view's publication.
 */
final class CallSitePrelinker {
    private static final String LINKER_NAME = "dev/atlas/patch/runtime/PatchLinker";

    /** One call site waiting for its bootstrap. */
    record Pending(DirectMethodHandleDesc bootstrap, String name, MethodTypeDesc type, List<ConstantDesc> args) {}

    /** A class whose call sites now go through a table. */
    record Rewritten(byte[] bytes, ClassDesc self, int table, List<Pending> sites) {}

    private CallSitePrelinker() {}

    /** @param table a number no other body class of the same code views was given */
    static Rewritten rewrite(byte[] bytes, int table) {
        IndyRedirect.Result redirected = IndyRedirect.redirect(bytes, LINKER_NAME, "prelinked", table);
        ClassModel model = ClassFile.of().parse(bytes);
        ConstantPool pool = model.constantPool();
        int[] entries = redirected.sites();
        List<Pending> sites = new ArrayList<>(entries.length);
        for (int entry : entries) {
            InvokeDynamicEntry indy = pool.entryByIndex(entry, InvokeDynamicEntry.class);
            List<ConstantDesc> args = new ArrayList<>();
            for (LoadableConstantEntry a : indy.bootstrap().arguments()) {
                args.add(a.constantValue());
            }
            sites.add(new Pending(indy.bootstrap().bootstrapMethod().asSymbol(), indy.name().stringValue(),
                    indy.typeSymbol(), List.copyOf(args)));
        }
        return new Rewritten(redirected.bytes(), model.thisClass().asSymbol(), table, sites);
    }

    /**
     * Bootstraps every call site of the defined class.
     *
     * @throws PatchRejectedException naming the first call site whose bootstrap fails
     */
    static void link(MethodHandles.Lookup defined, Rewritten r, String patchId) {
        CallSite[] out = new CallSite[r.sites().size()];
        for (int i = 0; i < out.length; i++) {
            Pending p = r.sites().get(i);
            try {
                MethodHandle bsm = (MethodHandle) resolve(p.bootstrap(), defined, r.self());
                MethodType type = (MethodType) resolve(p.type(), defined, r.self());
                List<Object> args = new ArrayList<>(3 + p.args().size());
                args.add(defined);
                args.add(p.name());
                args.add(type);
                for (ConstantDesc c : p.args()) {
                    args.add(resolve(c, defined, r.self()));
                }
                CallSite site = PatchLambdas.handles(p.bootstrap().owner(), p.bootstrap().methodName())
                        ? PatchLambdas.link(p.bootstrap().methodName(), defined, p.name(), type, args.subList(3, args.size()))
                        : (CallSite) bsm.invokeWithArguments(args);
                if (!site.type().equals(type)) {
                    throw new IllegalStateException("bootstrap returned a call site of type " + site.type() + ", expected " + type);
                }
                out[i] = site;
            } catch (Throwable e) {
                throw new PatchRejectedException("patch " + patchId + ": call site '" + p.name() + "' " + p.type().displayDescriptor()
                        + " in " + defined.lookupClass().getName() + " does not link (" + p.bootstrap().methodName() + "): " + e
                        + missingClassRemedy(e, defined.lookupClass().getName()), e);
            }
        }
        Linkage.bindSites(defined.lookupClass(), new Linkage.Linked(r.table(), out));
    }

    /**
     * What to do when a call site does not link because the process lacks a class (an optional
     * dependency of the library: linking a changed constructor's store into a {@code final}
     * field reflects on the class's fields, whose types must all load, although the JVM's own
     * code of that class never needs them); "" for another failure.
     */
    static String missingClassRemedy(Throwable e, String bodyClass) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof NoClassDefFoundError n && n.getMessage() != null) {
                int marker = bodyClass.indexOf("$$AtlasPatch$");
                String patched = marker < 0 ? bodyClass : bodyClass.substring(0, marker);
                String missing = n.getMessage().replace('/', '.');
                return ". This process does not have class " + missing + ". Remedy: put the library that holds " + missing
                        + " on the class path of the process (the new release's dependency), or build the patch without "
                        + patched + " (atlas patch build --exclude " + patched + "), which then keeps its old code";
            }
        }
        return "";
    }

    /** Whether the call sites of {@code bodyClass} were linked. */
    static boolean linked(Class<?> bodyClass) {
        return Linkage.sites(bodyClass) != null;
    }

    /** The call site {@code index} of table {@code table} of {@code bodyClass}, or null if not linked. */
    static CallSite site(Class<?> bodyClass, int table, int index) {
        Linkage.Linked l = Linkage.sites(bodyClass);
        return l == null || l.table() != table || index < 0 || index >= l.sites().length ? null : l.sites()[index];
    }

    /**
     * Resolves a constant as the JVM would for code of the defined class: a reference to the
     * class's own name means the (hidden) class itself, which no name lookup can find.
     */
    private static Object resolve(ConstantDesc c, MethodHandles.Lookup l, ClassDesc self) throws ReflectiveOperationException {
        Class<?> me = l.lookupClass();
        // instanceof, not a pattern switch: its typeSwitch call site would link at the patch instant
        if (c instanceof ClassDesc cd) {
            return cd.equals(self) ? me : cd.resolveConstantDesc(l);
        }
        if (c instanceof MethodTypeDesc mt) {
            return type(mt, l, self);
        }
        if (c instanceof DirectMethodHandleDesc mh && mh.owner().equals(self)) {
            MethodType t = type(mh.invocationType(), l, self);
            return switch (mh.kind()) {
                case STATIC, INTERFACE_STATIC -> l.findStatic(me, mh.methodName(), t);
                case VIRTUAL, INTERFACE_VIRTUAL -> l.findVirtual(me, mh.methodName(), t.dropParameterTypes(0, 1));
                case SPECIAL, INTERFACE_SPECIAL -> l.findSpecial(me, mh.methodName(), t.dropParameterTypes(0, 1), me);
                case CONSTRUCTOR -> l.findConstructor(me, t.changeReturnType(void.class));
                case GETTER -> l.findGetter(me, mh.methodName(), t.returnType());
                case SETTER -> l.findSetter(me, mh.methodName(), t.parameterType(1));
                case STATIC_GETTER -> l.findStaticGetter(me, mh.methodName(), t.returnType());
                case STATIC_SETTER -> l.findStaticSetter(me, mh.methodName(), t.parameterType(0));
            };
        }
        return c.resolveConstantDesc(l);
    }

    private static MethodType type(MethodTypeDesc d, MethodHandles.Lookup l, ClassDesc self) throws ReflectiveOperationException {
        Class<?> r = (Class<?>) resolve(d.returnType(), l, self);
        Class<?>[] ps = new Class<?>[d.parameterCount()];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = (Class<?>) resolve(d.parameterType(i), l, self);
        }
        return MethodType.methodType(r, ps);
    }
}

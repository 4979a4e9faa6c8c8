package dev.atlas.patch.instrument;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.runtime.Constructions;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.patch.runtime.MethodSlot;

import java.lang.classfile.AccessFlags;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the methods of a class patchable (ClassFile API): an entry guard at the start of
 * every method with a body (not static initialisers, bridge methods, nor synthetic methods other than
 * a compiler's accessors {@code access$NNN}; in a
 * constructor, right after its {@code super(..)}/{@code this(..)} call, so a new body
 * starts from an initialised object; and at its entry when a patch may recompute that call's
 * arguments, {@link ConstructorArgumentsGuard}), and a request scope around every request-boundary
 * method.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=code-instrumenter}
 *
 * <p>The guard ({@code invokedynamic} linked by {@code Dispatch.target}) yields null until
 * some view overrides the method: a constant the JIT folds, so an unpatched method costs
 * nothing after compilation. See {@link dev.atlas.patch.runtime.Dispatch} for the exact
 * code. A boundary method's scope is closed on every return and by a catch-all handler that
 * rethrows, placed after the method's own handlers.
 *
 * <p>Threading: shared; instances are immutable apart from the registry they record into.
 */
public final class CodeInstrumenter {
    private static final ClassDesc CD_DISPATCH = ClassDesc.of("dev.atlas.patch.runtime.Dispatch");
    private static final ClassDesc CD_VIEW_SCOPE = ClassDesc.of("dev.atlas.core.ViewScope");
    static final DirectMethodHandleDesc BSM_TARGET = ConstantDescs.ofCallsiteBootstrap(CD_DISPATCH, "target",
            ConstantDescs.CD_CallSite, ConstantDescs.CD_int, ConstantDescs.CD_int);
    static final DirectMethodHandleDesc BSM_INVOKER = ConstantDescs.ofCallsiteBootstrap(CD_DISPATCH, "invoker",
            ConstantDescs.CD_CallSite, ConstantDescs.CD_int, ConstantDescs.CD_int);
    static final MethodTypeDesc MTD_TARGET = MethodTypeDesc.of(ConstantDescs.CD_MethodHandle);
    private static final MethodTypeDesc MTD_ENTER = MethodTypeDesc.of(CD_VIEW_SCOPE, ConstantDescs.CD_int);

    private final MethodRegistry registry;
    private final BoundaryMatcher boundaries;
    private final TypeHierarchy hierarchy = new TypeHierarchy();

    public CodeInstrumenter(MethodRegistry registry, BoundaryMatcher boundaries) {
        this.registry = registry;
        this.boundaries = boundaries;
    }

    /**
     * Instruments one class and records its methods and fingerprint in the registry.
     *
     * @return the new class bytes, or null if the class has no patchable method (it is
     *         recorded in the registry all the same, so that a patch can add fields and
     *         methods to it)
     * @throws IllegalArgumentException if the class cannot be parsed or rewritten (the
     *         caller leaves it as it was)
     */
    public byte[] instrument(ClassLoader loader, byte[] classBytes) {
        return instrument(loader, classBytes, true);
    }

    /**
     * Instruments one class: with {@code patchable}, as {@link #instrument(ClassLoader, byte[])};
     * without, only its request-boundary methods get their request scope (a class the include
     * patterns do not select, such as a server's filter chain), and nothing is registered.
     *
     * @return the new class bytes, or null if there is nothing to instrument
     */
    public byte[] instrument(ClassLoader loader, byte[] classBytes, boolean patchable) {
        ClassModel model = ClassFile.of().parse(classBytes);
        String className = model.thisClass().asInternalName();
        if (model.flags().has(AccessFlag.MODULE)) {
            return null;
        }
        String superName = model.superclass().map(c -> c.asInternalName()).orElse(null);
        List<String> interfaces = new ArrayList<>();   // no stream: also runs at the patch instant (classes the new code loads)
        for (var i : model.interfaces()) {
            interfaces.add(i.asInternalName());
        }
        List<String> direct = new ArrayList<>(interfaces);
        if (superName != null) {
            direct.add(superName);
        }
        Set<MethodModel> boundaryMethods = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<String> supertypes = null;
        for (MethodModel m : model.methods()) {
            String name = m.methodName().stringValue();
            if (boundaries.namesMethod(name) && patchable(m)) {   // the cheap test first: patchable scans constructors
                if (supertypes == null) {
                    supertypes = hierarchy.supertypes(loader, className, direct);
                }
                if (boundaries.isBoundary(supertypes, name)) {
                    boundaryMethods.add(m);
                }
            }
        }
        Map<MethodModel, MethodSlot> slots = new HashMap<>();
        Map<MethodModel, MethodSlot> argumentSlots = new HashMap<>();
        Map<MethodModel, MethodSlot> rerouteSlots = new HashMap<>();
        List<MethodSlot> all = new ArrayList<>();
        List<String> calls = patchable
                ? ConstructorRerouteGuard.calls(model, superName == null ? List.of() : hierarchy.constructors(loader, superName))
                : List.of();
        for (MethodModel m : model.methods()) {
            if (patchable && patchable(m)) {
                MethodSlot s = registry.register(loader, className, m.methodName().stringValue(),
                        m.methodType().stringValue(), m.flags().has(AccessFlag.STATIC));
                slots.put(m, s);
                all.add(s);
                if (m.methodName().equalsString("<init>")
                        && ConstructorCall.argumentsReplaceable(m.code().orElseThrow().elementList())) {
                    MethodSlot a = registry.register(loader, className, ConstructorCall.ARGUMENTS_METHOD,
                            ConstructorCall.argumentsDescriptor(m.methodType().stringValue()), true);
                    argumentSlots.put(m, a);
                    all.add(a);
                }
                if (!calls.isEmpty() && m.methodName().equalsString("<init>")) {
                    MethodSlot r = registry.register(loader, className, Constructions.CALL_SLOT, m.methodType().stringValue(), false);
                    rerouteSlots.put(m, r);
                    all.add(r);
                }
            }
        }
        byte[] out = slots.isEmpty() && boundaryMethods.isEmpty() ? null
                : rewrite(loader, model, new Guards(slots, argumentSlots, rerouteSlots, calls), boundaryMethods);
        if (registry.hasAddedMethods()) {   // calls of methods a patch added, in a class loaded after the apply
            ClassModel current = out == null ? model : ClassFile.of().parse(out);
            byte[] linked = OutsideCallRewriter.rewrite(registry, current,
                    ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver(current, loader))));
            out = linked != null ? linked : out;
        }
        if (registry.hasViewStatics()) {   // reads of statics a patch gives a value per view, in a class loaded after the apply
            byte[] read = ViewStaticReadRewriter.rewrite(registry, out == null ? model : ClassFile.of().parse(out), className);
            out = read != null ? read : out;
        }
        if (patchable) {
            // known to the registry with its fingerprint even with nothing to guard: a patch may
            // still give the class new fields (shadow fields) or methods
            registry.classTransformed(loader, className, ClassFingerprint.of(classBytes), all, calls);
        }
        return out;
    }

    /** The guards of one class: entry guards, constructor argument and re-routing guards, construction calls. */
    private record Guards(Map<MethodModel, MethodSlot> slots, Map<MethodModel, MethodSlot> argumentSlots,
                          Map<MethodModel, MethodSlot> rerouteSlots, List<String> calls) {
    }

    /**
     * The class with entry guards in {@code guards}' methods, request scopes in
     * {@code boundaryMethods}, and re-routing guards in constructors when the class has calls.
     */
    private byte[] rewrite(ClassLoader loader, ClassModel model, Guards guards, Set<MethodModel> boundaryMethods) {
        ClassDesc owner = model.thisClass().asSymbol();
        ClassDesc superclass = model.superclass().map(c -> c.asSymbol()).orElse(ConstantDescs.CD_Object);
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver(model, loader)));
        byte[] out = cf.transformClass(model, (ClassTransform) (cb, ce) -> {
            if (ce instanceof MethodModel mm && (guards.slots().containsKey(mm) || boundaryMethods.contains(mm))) {
                MethodSlot slot = guards.slots().get(mm);
                boolean boundary = boundaryMethods.contains(mm);
                cb.transformMethod(mm, (mb, me) -> {
                    if (me instanceof CodeModel code) {
                        mb.withCode(b -> emit(b, code, new MethodGuards(slot, guards.argumentSlots().get(mm),
                                guards.rerouteSlots().get(mm), superclass, guards.calls()), boundary, owner, mm,
                                registry.linkIndex()));
                    } else {
                        mb.with(me);
                    }
                });
            } else {
                cb.with(ce);
            }
        });
        return LegacyClassVersion.needsRaise(model) ? LegacyClassVersion.raise(cf, out) : out;   // its guards are invokedynamic
    }

    /** The slots guarding one method: its entry guard, and for a constructor its argument and re-routing guards (or null). */
    private record MethodGuards(MethodSlot slot, MethodSlot argumentSlot, MethodSlot rerouteSlot, ClassDesc superclass,
                                List<String> calls) {
    }

    private static boolean patchable(MethodModel m) {
        AccessFlags f = m.flags();
        String n = m.methodName().stringValue();
        if (m.code().isEmpty() || n.equals("<clinit>") || f.has(AccessFlag.BRIDGE)
                || (f.has(AccessFlag.SYNTHETIC) && !isAccessor(n))) {
            return false;
        }
        return !n.equals("<init>") || ConstructorCall.index(m.code().get().elementList()) >= 0;
    }

    /**
     * Whether a synthetic method named {@code n} is a compiler's accessor ({@code access$000},
     * javac before nestmates): patchable like any method, since a new build numbers its
     * accessors anew, so {@code access$400} may read another field in the new release.
     */
    private static boolean isAccessor(String n) {
        return n.startsWith("access$");
    }

    private static void emit(CodeBuilder b, CodeModel code, MethodGuards guards, boolean boundary,
                             ClassDesc owner, MethodModel mm, int link) {
        MethodSlot slot = guards.slot();
        MethodSlot argumentSlot = guards.argumentSlot();
        MethodTypeDesc type = mm.methodTypeSymbol();
        boolean isStatic = mm.flags().has(AccessFlag.STATIC);
        int scope = ((CodeAttribute) code).maxLocals();   // a fresh slot above the method's own locals
        Label start = b.newLabel();
        Label end = b.newLabel();
        if (boundary) {
            b.loadConstant(link);   // a static call, not invokedynamic: also in class files older than Java 7
            b.invokestatic(CD_DISPATCH, "enterRequest", MTD_ENTER);
            b.astore(scope);
            b.labelBinding(start);
        }
        // a constructor's guard goes after its super(..)/this(..) call, once 'this' is initialised
        int guardAfter = mm.methodName().equalsString("<init>") ? ConstructorCall.index(code.elementList()) : -1;
        if (slot != null && guardAfter < 0) {
            guard(b, slot, boundary, owner, type, isStatic, scope, link);
        }
        if (guards.rerouteSlot() != null) {
            ConstructorRerouteGuard.emit(b, guards.rerouteSlot(), owner, guards.superclass(), type, guards.calls(), scope + 2, link);
        }
        Label afterCall = b.newLabel();
        if (argumentSlot != null) {
            ConstructorArgumentsGuard.emit(b, argumentSlot, type, (InvokeInstruction) code.elementList().get(guardAfter),
                    scope + 1, afterCall, link);
        }
        int index = 0;
        for (CodeElement e : code) {
            if (boundary && e instanceof ReturnInstruction) {
                closeScope(b, scope);
            }
            b.with(e);
            if (argumentSlot != null && index == guardAfter) {
                b.labelBinding(afterCall);
            }
            if (slot != null && index == guardAfter) {
                guard(b, slot, boundary, owner, type, isStatic, scope, link);
            }
            index++;
        }
        if (boundary) {
            Label handler = b.newLabel();
            b.labelBinding(end);
            b.exceptionCatchAll(start, end, handler);
            b.labelBinding(handler);
            closeScope(b, scope);
            b.athrow();
        }
    }

    /** The entry guard; falls through (stack empty) to the original body. */
    private static void guard(CodeBuilder b, MethodSlot slot, boolean boundary, ClassDesc owner, MethodTypeDesc type,
                              boolean isStatic, int scope, int link) {
        Label original = b.newLabel();
        b.invokedynamic(DynamicCallSiteDesc.of(BSM_TARGET, "target", MTD_TARGET, link, slot.id()));
        b.dup();
        b.ifnull(original);
        int s = 0;
        if (!isStatic) {
            b.aload(0);
            s = 1;
        }
        for (ClassDesc p : type.parameterList()) {
            TypeKind k = TypeKind.from(p);
            b.loadLocal(k, s);
            s += k.slotSize();
        }
        MethodTypeDesc callType = isStatic ? type : type.insertParameterTypes(0, owner);
        b.invokedynamic(DynamicCallSiteDesc.of(BSM_INVOKER, "invoke",
                callType.insertParameterTypes(0, ConstantDescs.CD_MethodHandle), link, slot.id()));
        if (boundary) {
            closeScope(b, scope);
        }
        b.return_(TypeKind.from(type.returnType()));
        b.labelBinding(original);
        b.pop();
    }

    private static void closeScope(CodeBuilder b, int scope) {
        b.aload(scope);
        b.invokevirtual(CD_VIEW_SCOPE, "close", ConstantDescs.MTD_void);
    }

    /** This class from its own model, then the JDK's (platform loader), then class files found through its loader. */
    private static ClassHierarchyResolver resolver(ClassModel model, ClassLoader loader) {
        ClassDesc self = model.thisClass().asSymbol();
        ClassHierarchyResolver own = model.flags().has(AccessFlag.INTERFACE)
                ? ClassHierarchyResolver.of(List.of(self), Map.of())
                : ClassHierarchyResolver.of(List.of(),
                        Map.of(self, model.superclass().map(c -> c.asSymbol()).orElse(ConstantDescs.CD_Object)));
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        // never the default resolver: it loads classes through the system class loader, so
        // instrumenting an application class could define another one (or itself, from a
        // subclass's lookup) in the middle of its own definition ("duplicate class definition",
        // seen on commons-codec's Languages$LanguageSet). The platform loader defines only JDK
        // classes; everything else is read as class files.
        return own.orElse(ClassHierarchyResolver.ofClassLoading(ClassLoader.getPlatformClassLoader()))
                .orElse(ClassHierarchyResolver.ofResourceParsing(l).cached());
    }
}

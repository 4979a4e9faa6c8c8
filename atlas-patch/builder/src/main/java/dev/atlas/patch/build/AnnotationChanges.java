package dev.atlas.patch.build;

import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.AnnotationValue;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Refuses changes whose effect depends on annotations that frameworks read through reflection.
 *
 * <p>A patch never redefines a class: the running class keeps the annotations it was loaded
 * with, and the methods and fields a patch adds live beside it, invisible to reflection. So a
 * new {@code @GetMapping} method would never be mapped (404), a new {@code @Autowired} field never
 * injected, a changed {@code @RequestMapping} path never re-read, a new {@code @RestController} class
 * never scanned. Such a change could only be "applied" with no effect; the builder refuses it,
 * naming the member and the annotation, with the remedy (a restart on the new release, or the
 * change expressed in code).
 *
 * <p>Runtime-visible annotations only (class-retention ones are not read by reflection; they
 * stay a note). Not refused, because nothing reads them to decide behaviour at run time:
 * {@code java.lang.*} ({@code @Deprecated}, {@code @SafeVarargs}, {@code @FunctionalInterface}),
 * compiler metadata ({@code kotlin.Metadata}, {@code scala.reflect.ScalaSignature}) and
 * nullness annotations (simple names {@code Nullable}, {@code NonNull}, {@code Nonnull},
 * {@code NotNull}, {@code CheckForNull}, {@code NullMarked}, {@code NullUnmarked}).
 *
 * <p>Added classes are defined as real classes, so reflection sees their annotations; they are
 * refused only for class annotations that make a framework pick a class up at start-up
 * (Spring stereotypes and configuration, servlet and JAX-RS registrations, CDI scopes).
 *
 * <p>Stateless; thread-safe.
 */
final class AnnotationChanges {
    private AnnotationChanges() {}

    private static final List<String> INERT_PREFIXES = List.of("Ljava/lang/", "Lkotlin/Metadata;",
            "Lkotlin/jvm/internal/", "Lscala/reflect/", "Ljdk/internal/");
    private static final List<String> INERT_SIMPLE_NAMES = List.of("Nullable", "NonNull", "Nonnull", "NotNull",
            "CheckForNull", "NullMarked", "NullUnmarked", "ParametersAreNonnullByDefault");
    private static final List<String> SCANNED_AT_STARTUP = List.of("Lorg/springframework/stereotype/",
            "Lorg/springframework/web/bind/annotation/RestController;",
            "Lorg/springframework/web/bind/annotation/ControllerAdvice;",
            "Lorg/springframework/web/bind/annotation/RestControllerAdvice;",
            "Lorg/springframework/context/annotation/Configuration;", "Lorg/springframework/boot/autoconfigure/",
            "Lorg/springframework/boot/context/properties/ConfigurationProperties;",
            "Ljakarta/servlet/annotation/", "Ljavax/servlet/annotation/", "Ljakarta/ws/rs/Path;", "Ljavax/ws/rs/Path;",
            "Ljakarta/ws/rs/ext/Provider;", "Ljavax/ws/rs/ext/Provider;", "Ljakarta/enterprise/context/",
            "Ljavax/enterprise/context/", "Ljakarta/inject/Singleton;", "Ljavax/inject/Singleton;", "Ljakarta/ejb/",
            "Ljavax/ejb/");

    /**
     * Class annotations by which Spring advises every public method of a class through the proxy it makes at start-up
     * (transactions, caching, asynchronous calls, validation, method security, retries).
     */
    private static final List<String> ADVISES_ITS_METHODS = List.of(
            "Lorg/springframework/transaction/annotation/Transactional;", "Ljakarta/transaction/Transactional;",
            "Ljavax/transaction/Transactional;", "Lorg/springframework/cache/annotation/Cacheable;",
            "Lorg/springframework/cache/annotation/CachePut;", "Lorg/springframework/cache/annotation/CacheEvict;",
            "Lorg/springframework/scheduling/annotation/Async;", "Lorg/springframework/validation/annotation/Validated;",
            "Lorg/springframework/security/access/annotation/Secured;",
            "Lorg/springframework/security/access/prepost/", "Lorg/springframework/retry/annotation/Retryable;");

    private static final String REMEDY = "; remedy: restart on the new release, or express the change in code";

    /** Refusals for annotation changes between two versions of one class ({@code name}: its internal name). */
    static List<Refusal> changed(ClassModel oldModel, ClassModel newModel, String name) {
        List<Refusal> out = new ArrayList<>();
        compare(out, name, "", "class annotations", classAnnotations(oldModel), classAnnotations(newModel),
                " (the running class keeps the annotations it was loaded with, which is what frameworks read)");
        Map<String, FieldModel> oldFields = new TreeMap<>();
        oldModel.fields().forEach(f -> oldFields.put(f.fieldName().stringValue(), f));
        for (FieldModel f : newModel.fields()) {
            String n = f.fieldName().stringValue();
            FieldModel o = oldFields.get(n);
            if (o == null) {
                compare(out, name, n, "new field annotated", List.of(), fieldAnnotations(f),
                        " (a field a patch adds is kept beside the objects, invisible to reflection: no framework "
                                + "injects, binds or serialises it)");
            } else {
                compare(out, name, n, "field annotations", fieldAnnotations(o), fieldAnnotations(f),
                        " (the running field keeps its annotations)");
            }
        }
        Map<String, MethodModel> oldMethods = new TreeMap<>();
        oldModel.methods().forEach(m -> oldMethods.put(key(m), m));
        for (MethodModel m : newModel.methods()) {
            MethodModel o = oldMethods.get(key(m));
            if (o == null) {
                compare(out, name, key(m), "new method annotated", List.of(), methodAnnotations(m),
                        " (a method a patch adds is invisible to reflection: frameworks never register it; request "
                                + "mappings, listeners and scheduled methods are read at start-up)");
                adviceItWouldLack(oldModel, m).ifPresent(a -> out.add(new Refusal(name, key(m), "new public method in a "
                        + "class annotated " + a + ": Spring advises the class's public methods through the proxy it "
                        + "made at start-up, which has no interception for a method a patch adds, so it would run "
                        + "without that advice" + REMEDY + " (e.g. call the new code from an existing method)")));
            } else {
                compare(out, name, key(m), "method annotations", methodAnnotations(o), methodAnnotations(m),
                        " (the running method keeps its annotations, which is what frameworks read)");
            }
        }
        return out;
    }

    /** The class annotation that would advise {@code m}, a method new in the patch, if a restart had made it. */
    private static java.util.Optional<String> adviceItWouldLack(ClassModel oldModel, MethodModel m) {
        int f = m.flags().flagsMask();
        if ((f & java.lang.reflect.Modifier.PUBLIC) == 0 || (f & (java.lang.reflect.Modifier.STATIC | 0x1040)) != 0
                || m.methodName().stringValue().startsWith("<")) {
            return java.util.Optional.empty();   // not public, static, bridge or synthetic, or a constructor
        }
        return oldModel.findAttribute(Attributes.runtimeVisibleAnnotations()).stream()
                .flatMap(attr -> attr.annotations().stream())
                .filter(a -> ADVISES_ITS_METHODS.stream().anyMatch(p -> p.endsWith(";")
                        ? a.className().stringValue().equals(p) : a.className().stringValue().startsWith(p)))
                .map(AnnotationChanges::annotation).findFirst();
    }

    /** Refusals for an added class that a framework would have to discover at start-up. */
    static List<Refusal> added(ClassModel model, String name) {
        List<String> scanned = new ArrayList<>();
        model.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(attr -> {
            for (Annotation a : attr.annotations()) {
                String d = a.className().stringValue();
                for (String p : SCANNED_AT_STARTUP) {
                    if (p.endsWith(";") ? d.equals(p) : d.startsWith(p)) {
                        scanned.add(annotation(a));
                        break;
                    }
                }
            }
        });
        if (scanned.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal(name, "", "new class annotated " + String.join(", ", scanned) + ": frameworks "
                + "discover such classes only at start-up (component scanning, servlet and resource registration), "
                + "so it would never be registered" + REMEDY));
    }

    private static void compare(List<Refusal> out, String className, String member, String what, List<String> before,
                                List<String> after, String why) {
        TreeSet<String> added = new TreeSet<>(after);
        before.forEach(added::remove);
        TreeSet<String> removed = new TreeSet<>(before);
        after.forEach(removed::remove);
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        String change = before.isEmpty() && what.startsWith("new ") ? what + " " + added
                : what + " changed" + (added.isEmpty() ? "" : ", added " + added) + (removed.isEmpty() ? "" : ", removed " + removed);
        out.add(new Refusal(className, member, change + why + REMEDY));
    }

    private static List<String> classAnnotations(ClassModel m) {
        List<String> out = new ArrayList<>();
        m.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> render(a.annotations(), "", out));
        return out;
    }

    private static List<String> fieldAnnotations(FieldModel f) {
        List<String> out = new ArrayList<>();
        f.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> render(a.annotations(), "", out));
        return out;
    }

    private static List<String> methodAnnotations(MethodModel m) {
        List<String> out = new ArrayList<>();
        m.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> render(a.annotations(), "", out));
        m.findAttribute(Attributes.runtimeVisibleParameterAnnotations()).ifPresent(a -> {
            List<List<Annotation>> ps = a.parameterAnnotations();
            for (int i = 0; i < ps.size(); i++) {
                render(ps.get(i), "parameter " + i + " ", out);
            }
        });
        return out;
    }

    private static void render(List<Annotation> as, String prefix, List<String> out) {
        for (Annotation a : as) {
            if (!inert(a.className().stringValue())) {
                out.add(prefix + annotation(a));
            }
        }
    }

    static boolean inert(String descriptor) {
        for (String p : INERT_PREFIXES) {
            if (descriptor.startsWith(p)) {
                return true;
            }
        }
        String simple = descriptor.substring(Math.max(descriptor.lastIndexOf('/'), descriptor.lastIndexOf('$')) + 1,
                descriptor.length() - 1);
        return INERT_SIMPLE_NAMES.contains(simple);
    }

    private static String key(MethodModel m) {
        return m.methodName().stringValue() + m.methodType().stringValue();
    }

    /**
     * A canonical text of every annotation of the class and its members, visible and
     * invisible, inert ones included: equal for two class files whose annotations are equal.
     */
    static String canonical(ClassModel m) {
        StringBuilder sb = new StringBuilder();
        m.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> sb.append("C").append(list(a.annotations())));
        m.findAttribute(Attributes.runtimeInvisibleAnnotations()).ifPresent(a -> sb.append("c").append(list(a.annotations())));
        m.fields().stream().sorted(java.util.Comparator.comparing(f -> f.fieldName().stringValue())).forEach(f -> {
            f.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> sb.append("F").append(f.fieldName()).append(list(a.annotations())));
            f.findAttribute(Attributes.runtimeInvisibleAnnotations()).ifPresent(a -> sb.append("f").append(f.fieldName()).append(list(a.annotations())));
        });
        m.methods().stream().sorted(java.util.Comparator.comparing(AnnotationChanges::key)).forEach(x -> {
            x.findAttribute(Attributes.runtimeVisibleAnnotations()).ifPresent(a -> sb.append("M").append(key(x)).append(list(a.annotations())));
            x.findAttribute(Attributes.runtimeInvisibleAnnotations()).ifPresent(a -> sb.append("m").append(key(x)).append(list(a.annotations())));
            x.findAttribute(Attributes.runtimeVisibleParameterAnnotations()).ifPresent(a -> sb.append("P").append(key(x))
                    .append(a.parameterAnnotations().stream().map(AnnotationChanges::list).toList()));
        });
        return sb.toString();
    }

    private static String list(List<Annotation> as) {
        StringBuilder sb = new StringBuilder("[");
        for (Annotation a : as) {
            sb.append(sb.length() == 1 ? "" : ",").append(annotation(a));
        }
        return sb.append(']').toString();
    }

    /** {@code @pkg.Name(element=value, ...)}, Java-like. */
    private static String annotation(Annotation a) {
        String d = a.className().stringValue();
        StringBuilder sb = new StringBuilder("@").append(d.substring(1, d.length() - 1).replace('/', '.'));
        List<AnnotationElement> es = a.elements();
        if (!es.isEmpty()) {
            sb.append('(');
            for (int i = 0; i < es.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(es.get(i).name().stringValue()).append('=').append(value(es.get(i).value()));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String value(AnnotationValue v) {
        return switch (v) {
            case AnnotationValue.OfString s -> "\"" + s.stringValue() + "\"";
            case AnnotationValue.OfConstant c -> String.valueOf(c.resolvedValue());
            case AnnotationValue.OfClass c -> c.className().stringValue();
            case AnnotationValue.OfEnum e -> e.constantName().stringValue();
            case AnnotationValue.OfAnnotation a -> annotation(a.annotation());
            case AnnotationValue.OfArray a -> {
                StringBuilder sb = new StringBuilder("{");
                for (AnnotationValue x : a.values()) {
                    sb.append(sb.length() == 1 ? "" : ", ").append(value(x));
                }
                yield sb.append('}').toString();
            }
        };
    }
}

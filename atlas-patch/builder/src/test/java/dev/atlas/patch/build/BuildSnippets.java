package dev.atlas.patch.build;

import java.lang.classfile.ClassModel;
import java.util.function.UnaryOperator;

/**
 * The code of the {@code {@snippet}} examples in the javadoc of this package's
 * package-private classes, by region: compiled with the tests, so an example that no longer
 * compiles fails the build.
 */
@SuppressWarnings("unused")
final class BuildSnippets {
    private BuildSnippets() {}

    static ChangedStaticInitializer.Outcome changedStaticInitializer(ClassModel oldModel, ClassModel newModel,
                                                                     UnaryOperator<String> newToOld) {
        // @start region=changed-static-initializer
        // old:  static final Pattern SALT = Pattern.compile("^[a-z]{2,}$");
        // new:  static final Pattern SALT = Pattern.compile("^[a-z./]{2,}$");
        ChangedStaticInitializer.Outcome o = ChangedStaticInitializer.analyse(oldModel, newModel, newToOld);
        // o.copies() = {SALT=<segment of the new <clinit>>}, o.refusal() = null
        // @end
        return o;
    }
}

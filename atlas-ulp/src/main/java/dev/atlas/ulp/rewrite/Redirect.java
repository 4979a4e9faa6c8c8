package dev.atlas.ulp.rewrite;

/**
 * What the rewriter does at one kind of call site (one JDK member, by owner, name and
 * descriptor).
 *
 * @param kind   how the call site changes
 * @param target for {@link Kind#REPLACE}: the {@code ProgramSystem} method called instead
 * @param desc   its descriptor (the original's, with the receiver first for instance methods)
 */
record Redirect(Kind kind, String target, String desc) {
    enum Kind {
        /** The instruction is replaced by {@code invokestatic ProgramSystem.target desc}. */
        REPLACE,
        /** The path on top of the stack goes through {@code ProgramSystem.path} first. */
        PATH_ON_TOP,
        /** The path just under the top of the stack goes through {@code ProgramSystem.path} first. */
        PATH_UNDER_TOP,
        /**
         * {@code Constructor.newInstance(Object[])}: the argument array goes through
         * {@code ReflectivePaths.constructorArgs(constructor, args)} first.
         */
        CONSTRUCTOR_ARGS
    }

    static Redirect replace(String target, String desc) {
        return new Redirect(Kind.REPLACE, target, desc);
    }
}

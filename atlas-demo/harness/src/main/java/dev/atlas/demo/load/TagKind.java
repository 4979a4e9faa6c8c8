package dev.atlas.demo.load;

/** What a response's version tag says about the code that served the request. */
public enum TagKind {
    /** Every part written by the old build. */
    OLD,
    /** Every part written by the new build. */
    NEW,
    /** Some parts old, some new: the request ran old and new code. */
    MIXED,
    /** No tag, or parts that are neither old nor new. */
    UNKNOWN
}

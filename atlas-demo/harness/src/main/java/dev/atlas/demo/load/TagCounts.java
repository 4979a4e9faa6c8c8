package dev.atlas.demo.load;

/**
 * Responses counted by {@link TagKind}. Immutable.
 *
 * @param old     all-old tags
 * @param fresh   all-new tags
 * @param mixed   mixed tags
 * @param unknown missing or foreign tags
 */
public record TagCounts(long old, long fresh, long mixed, long unknown) {
    public static final TagCounts ZERO = new TagCounts(0, 0, 0, 0);

    /** The count of {@code kind}. */
    public long of(TagKind kind) {
        return switch (kind) {
            case OLD -> old;
            case NEW -> fresh;
            case MIXED -> mixed;
            case UNKNOWN -> unknown;
        };
    }

    /** These counts plus one response of {@code kind}. */
    public TagCounts plus(TagKind kind) {
        return new TagCounts(old + (kind == TagKind.OLD ? 1 : 0), fresh + (kind == TagKind.NEW ? 1 : 0),
                mixed + (kind == TagKind.MIXED ? 1 : 0), unknown + (kind == TagKind.UNKNOWN ? 1 : 0));
    }

    /** Element-wise sum. */
    public TagCounts plus(TagCounts other) {
        return new TagCounts(old + other.old, fresh + other.fresh, mixed + other.mixed, unknown + other.unknown);
    }

    public long total() {
        return old + fresh + mixed + unknown;
    }
}

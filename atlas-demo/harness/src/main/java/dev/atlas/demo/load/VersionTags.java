package dev.atlas.demo.load;

/**
 * Classifies version tags such as {@code v1.v2.v2} (parts joined by dots) against the old and
 * the new build's part. Immutable.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=version-tags}
 */
public final class VersionTags {
    private final String oldPart;
    private final String newPart;

    /** @throws IllegalArgumentException if a part is empty, contains a dot, or both are equal */
    public VersionTags(String oldPart, String newPart) {
        check("old", oldPart);
        check("new", newPart);
        if (oldPart.equals(newPart)) {
            throw new IllegalArgumentException("old and new version parts are both '" + oldPart + "', expected two different parts");
        }
        this.oldPart = oldPart;
        this.newPart = newPart;
    }

    private static void check(String which, String part) {
        if (part == null || part.isEmpty() || part.indexOf('.') >= 0) {
            throw new IllegalArgumentException(which + " version part is '" + part + "', expected a non-empty word without dots");
        }
    }

    /** The part every method of the old build writes, e.g. {@code v1}. */
    public String oldPart() {
        return oldPart;
    }

    /** The part every method of the new build writes, e.g. {@code v2}. */
    public String newPart() {
        return newPart;
    }

    /** The kind of {@code tag}; {@link TagKind#UNKNOWN} for {@code null}, empty or foreign parts. */
    public TagKind classify(String tag) {
        if (tag == null || tag.isEmpty()) {
            return TagKind.UNKNOWN;
        }
        boolean sawOld = false;
        boolean sawNew = false;
        int from = 0;
        while (from <= tag.length()) {
            int dot = tag.indexOf('.', from);
            int to = dot < 0 ? tag.length() : dot;
            if (tag.regionMatches(from, oldPart, 0, oldPart.length()) && to - from == oldPart.length()) {
                sawOld = true;
            } else if (tag.regionMatches(from, newPart, 0, newPart.length()) && to - from == newPart.length()) {
                sawNew = true;
            } else {
                return TagKind.UNKNOWN;
            }
            from = to + 1;
        }
        return sawOld && sawNew ? TagKind.MIXED : sawOld ? TagKind.OLD : TagKind.NEW;
    }
}

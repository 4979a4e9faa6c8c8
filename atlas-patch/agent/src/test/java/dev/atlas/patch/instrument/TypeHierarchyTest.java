package dev.atlas.patch.instrument;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeHierarchyTest {
    private final ClassLoader loader = TypeHierarchyTest.class.getClassLoader();

    @Test
    void findsSupertypesAtAnyDepthFromClassFiles() {
        TypeHierarchy h = new TypeHierarchy();
        // LinkedHashMap -> HashMap -> AbstractMap -> Map: two levels between the class and the interface
        assertTrue(h.isSubtype(loader, "java/util/LinkedHashMap", "java/util/Map"));
        assertTrue(h.isSubtype(loader, "java/util/LinkedHashMap", "java/util/AbstractMap"));
        assertFalse(h.isSubtype(loader, "java/util/LinkedHashMap", "java/util/Collection"));
        // a class that is not there ends the walk quietly
        assertFalse(h.isSubtype(loader, "no/such/Type", "java/util/Map"));
    }

    @Test
    void boundaryPatternsMatchThroughTheHierarchyAndReportWhatMatchedNothing() {
        BoundaryMatcher b = new BoundaryMatcher(List.of("java.util.Map#put", "com.acme.Missing#run"));
        Set<String> supers = new TypeHierarchy().supertypes(loader, "java/util/LinkedHashMap", List.of("java/util/HashMap"));
        assertTrue(b.namesMethod("put"));
        assertFalse(b.namesMethod("get"));
        assertTrue(b.isBoundary(supers, "put"));
        assertFalse(b.isBoundary(supers, "get"));
        assertEquals(List.of("com.acme.Missing#run"), b.unmatched());
        assertTrue(b.namesAnyType(Set.of("java/util/Map")));
        assertFalse(b.namesAnyType(Set.of("java/util/List")));
    }

    /**
     * Two patterns matching one method (Spring's filters implement jakarta.servlet.Filter, Tomcat's
     * chain FilterChain, a servlet both Servlet and HttpServlet): both count as matched, so that
     * {@code atlas status} does not report a pattern as matching nothing because another one
     * came first in the list.
     */
    @Test
    void everyPatternThatMatchesAMethodCountsAsMatched() {
        BoundaryMatcher b = new BoundaryMatcher(List.of("java.util.AbstractMap#put", "java.util.Map#put",
                "java.util.HashMap#put"));
        Set<String> supers = new TypeHierarchy().supertypes(loader, "java/util/LinkedHashMap", List.of("java/util/HashMap"));
        assertTrue(b.isBoundary(supers, "put"));
        assertEquals(List.of(), b.unmatched());
    }
}

package dev.atlas.patch.runtime;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoaderScopeTest {
    @Test
    void aNamedScopeIncludesOnlyTheLoaderOfThatNameOrThatToStringWhenUnnamed() throws Exception {
        try (URLClassLoader named = new URLClassLoader("tenant-1", new URL[0], null);
             URLClassLoader unnamed = new URLClassLoader(new URL[0], null) {
                 @Override
                 public String toString() {
                     return "program-3";
                 }
             }) {
            LoaderScope tenant = LoaderScope.named("tenant-1");
            assertTrue(tenant.includes(named));
            assertFalse(tenant.includes(unnamed));
            assertFalse(tenant.includes(null), "not the bootstrap loader");
            assertTrue(LoaderScope.named("program-3").includes(unnamed));
            assertFalse(LoaderScope.named("program-3").includes(named));
            assertTrue(LoaderScope.ALL.includes(named) && LoaderScope.ALL.includes(null));
            assertTrue(tenant.describe().contains("'tenant-1'"));
        }
        assertThrows(IllegalArgumentException.class, () -> LoaderScope.named(""));
    }
}

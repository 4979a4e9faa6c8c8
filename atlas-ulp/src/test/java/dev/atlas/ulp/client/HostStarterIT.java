package dev.atlas.ulp.client;

import dev.atlas.ulp.daemon.HostPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class HostStarterIT {
    @Test
    void theHostStartsWithTheAotCacheOfItsDirectoryOnlyWhenThereIsOne(@TempDir Path dir) throws Exception {
        HostPaths paths = new HostPaths(dir);
        HostStarter starter = new HostStarter(Path.of("/jdk/bin/java"), "ulp.jar", List.of("-Xmx64m"));
        List<String> plain = starter.command(paths);
        assertFalse(plain.stream().anyMatch(a -> a.startsWith("-XX:AOTCache")), plain.toString());
        Files.write(paths.aotCache(), new byte[] {1});
        List<String> cached = starter.command(paths);
        int java = cached.indexOf("/jdk/bin/java");
        assertEquals("-XX:AOTCache=" + dir.resolve("host.aot"), cached.get(java + 1), cached.toString());
        assertEquals(HostStarter.DEFAULT_OPTIONS, cached.subList(java + 2, java + 2 + HostStarter.DEFAULT_OPTIONS.size()));
        assertEquals("-Xmx64m", cached.get(java + 2 + HostStarter.DEFAULT_OPTIONS.size()),
                "the user's options come after the defaults, so they can override them");
        assertEquals(List.of("-cp", "ulp.jar", "dev.atlas.ulp.UlpMain", "host", "serve"),
                cached.subList(cached.size() - 5, cached.size()));
    }
}

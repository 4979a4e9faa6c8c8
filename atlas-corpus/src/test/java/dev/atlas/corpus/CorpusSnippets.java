package dev.atlas.corpus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The code of the {@code {@snippet}} examples in atlas-corpus's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build.
 */
@SuppressWarnings("unused")
final class CorpusSnippets {
    private CorpusSnippets() {}

    static ReleaseClasspath releaseResolver() throws IOException, InterruptedException {
        // @start region=release-resolver
        ReleaseResolver r = new ReleaseResolver(Path.of("."), Path.of("target/corpus/releases"));
        ReleaseClasspath lang = r.resolve("org.apache.commons", "commons-lang3", "3.12.0");
        // @end
        return lang;
    }
}

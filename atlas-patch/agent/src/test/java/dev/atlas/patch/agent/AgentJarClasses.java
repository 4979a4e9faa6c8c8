package dev.atlas.patch.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The classes the architecture rules check: the main code of the agent jar's packages (core, libc, patch). */
final class AgentJarClasses {
    private AgentJarClasses() {
    }

    static JavaClasses load() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))   // the format's test-jar (Fixtures)
                .importPackages("dev.atlas.core", "dev.atlas.libc", "dev.atlas.patch");
    }
}

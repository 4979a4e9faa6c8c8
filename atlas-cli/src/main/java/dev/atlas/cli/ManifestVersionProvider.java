package dev.atlas.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code atlas --version}: the version in the jar manifest, or the build's version when run from classes. */
public final class ManifestVersionProvider implements IVersionProvider {
    static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

    @Override
    public String[] getVersion() {
        return new String[] {
                "atlas " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("java.vendor") + ")"
        };
    }

    static String version() {
        String v = AtlasCommand.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? FALLBACK_VERSION : v;
    }
}

package dev.atlas.cli.patch;

import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.BuildResult;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.build.PatchDescription;
import dev.atlas.patch.build.Refusal;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code atlas patch build <old> <new> -o <file> [--include ..] [--exclude ..] [--classpath lib.jar:..]
 * [--rebuild-objects pkg.Class#method()] [--deserialized-defaults pkg.Class]
 * [--sign-keystore <p12> [--sign-alias ..]]}: wraps {@link PatchBuilder#diff}.
 */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Diff two builds of an application (jars or class directories) and write a patch, or say "
                + "exactly why not (each refusal names the class, the member and the reason; nothing is written).",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:patch written", "1:refused (see the reasons) or failed; nothing written", "2:usage error"})
final class PatchBuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<old>", description = "The build that runs now (jar or class directory).")
    Path oldBuild;

    @Parameters(index = "1", paramLabel = "<new>", description = "The build to patch it to.")
    Path newBuild;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "<file>", description = "The patch file to write.")
    Path output;

    @Option(names = "--include", split = ",", paramLabel = "<pattern>",
            description = "Classes to consider: com.acme.* (a package), com.acme.** (a tree), com.acme.Foo (default: all).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "<pattern>", description = "Classes to leave out.")
    List<String> excludes = new ArrayList<>();

    @Option(names = {"-cp", "--classpath"}, split = ",", paramLabel = "<jar|dir>",
            description = "Libraries the builds depend on (jars or class directories, separated by ',' or the "
                    + "platform's path separator): read "
                    + "only to check class hierarchies (inherited methods, overrides), never patched.")
    List<String> classpath = new ArrayList<>();

    @Option(names = "--rebuild-objects", paramLabel = "<class#method()>",
            description = "An instance method without parameters of a class the patch changes that resets an object's "
                    + "state from scratch (as its constructor calls it), e.g. "
                    + "org.apache.commons.beanutils.PropertyUtilsBean#resetBeanIntrospectors(): in the new view its new "
                    + "body runs once on every object of the class made before the apply, at the first call of an "
                    + "instance method of the class on it. Your claim that re-running it is sound; repeatable.")
    List<String> rebuildObjects = new ArrayList<>();

    @Option(names = "--deserialized-defaults", split = ",", paramLabel = "<class>",
            description = "A Serializable class to which the new release adds (or in which it retypes) instance fields, "
                    + "e.g. org.apache.commons.net.ftp.FTPFile: build the patch anyway. Objects of it that Java "
                    + "deserialization makes in the new view then have the default value (null, 0) in those fields, "
                    + "where the new release has the value the stream carries; the patch reports it. Without it such "
                    + "a class is refused; repeatable.")
    List<String> deserializedDefaults = new ArrayList<>();

    @Option(names = {"-m", "--description"}, paramLabel = "<text>", defaultValue = "",
            description = "What the patch does (stored in it).")
    String description;

    @Option(names = "--sign-keystore", paramLabel = "<p12>", description = "Sign the patch with a key of this key store.")
    Path signKeystore;

    @Option(names = "--sign-alias", paramLabel = "<alias>",
            description = "The key's alias (default: the key store's only key).")
    String signAlias;

    @Option(names = "--sign-password", paramLabel = "<password>",
            description = "The key store's (and key's) password (default: $ATLAS_KEYSTORE_PASSWORD, else none).")
    String signPassword;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (PatchFile.escape(description).length() > PatchFile.MAX_DESCRIPTION_CHARS) {
            throw new ParameterException(spec.commandLine(), "--description has " + PatchFile.escape(description).length()
                    + " characters; the limit is " + PatchFile.MAX_DESCRIPTION_CHARS + " (escaped as in the manifest)");
        }
        BuildOptions options;
        try {
            options = BuildOptions.defaults().withIncludes(includes).withExcludes(excludes).withDescription(description)
                    .withClasspath(libraries()).withRebuildObjects(rebuildObjects)
                    .withDeserializedDefaults(deserializedDefaults);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if ((signAlias != null || signPassword != null) && signKeystore == null) {
            throw new ParameterException(spec.commandLine(), "--sign-alias and --sign-password need --sign-keystore <p12>");
        }
        try {
            for (Path b : List.of(oldBuild, newBuild)) {
                if (!Files.exists(b)) {
                    err.println("atlas: no such build: " + b + " (expected a jar or a class directory)");
                    return ExitCodes.FAILED;
                }
            }
            for (Path lib : libraries()) {
                if (!Files.exists(lib)) {
                    err.println("atlas: no such library on --classpath: " + lib + " (expected a jar or a class directory)");
                    return ExitCodes.FAILED;
                }
            }
            BuildResult r = PatchBuilder.diff(oldBuild, newBuild, options);
            r.notes().forEach(n -> out.println("note: " + n));
            if (r.isRefused()) {
                err.println("atlas: no patch: " + r.refusals().size() + " change(s) cannot be patched live:");
                for (Refusal x : r.refusals()) {
                    err.println("  " + x);
                }
                err.println("Nothing was written.");
                return ExitCodes.FAILED;
            }
            Patch p = r.patchOrThrow();
            if (p.isEmpty()) {
                err.println("atlas: no patch: the builds do not differ in code (nothing was written)");
                return ExitCodes.FAILED;
            }
            KeyStore ks = null;
            char[] pw = null;
            String alias = null;
            if (signKeystore != null) {   // load the key first: a bad key store writes nothing
                String s = signPassword != null ? signPassword : System.getenv("ATLAS_KEYSTORE_PASSWORD");
                pw = s == null ? null : s.toCharArray();
                ks = KeyStore.getInstance(signKeystore.toFile(), pw);
                alias = signAlias != null ? signAlias : onlyKey(ks);
            }
            PatchFile.write(p, output);
            if (ks != null) {
                try {
                    PatchSigner.sign(output, ks, alias, pw);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    Files.deleteIfExists(output);
                    throw e;
                }
            }
            out.println("wrote " + output);
            out.print(PatchDescription.render(output));
            return ExitCodes.OK;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            err.println("atlas: " + e.getMessage());
        } catch (Exception e) {   // MalformedPatchException from describing what was just written
            err.println("atlas: " + e);
        } finally {
            out.flush();
            err.flush();
        }
        return ExitCodes.FAILED;
    }

    private List<Path> libraries() {
        List<Path> paths = new ArrayList<>();
        for (String entry : classpath) {
            for (String p : entry.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
                if (!p.isEmpty()) {
                    paths.add(Path.of(p));
                }
            }
        }
        return paths;
    }

    private String onlyKey(KeyStore ks) throws GeneralSecurityException {
        List<String> keys = new ArrayList<>();
        for (String a : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a)) {
                keys.add(a);
            }
        }
        if (keys.size() != 1) {
            throw new IllegalArgumentException("key store " + signKeystore + " has " + keys.size() + " keys " + keys
                    + "; name one with --sign-alias");
        }
        return keys.getFirst();
    }
}

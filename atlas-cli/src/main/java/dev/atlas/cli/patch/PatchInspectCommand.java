package dev.atlas.cli.patch;

import dev.atlas.patch.build.PatchDescription;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.PatchSignatureException;
import dev.atlas.patch.format.PatchVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;

/** {@code atlas patch inspect <file> [--keystore <p12>]}: what a patch changes, and who signed it. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show what a patch file changes (classes, methods, fields, added classes, the class versions "
                + "it applies to) and its signer; with --keystore, verify the signature.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:done", "1:malformed patch, or the signature does not verify", "2:usage error"})
final class PatchInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<file>", description = "The patch file.")
    Path file;

    @Option(names = "--keystore", paramLabel = "<p12>", description = "Verify the signature against this key store.")
    Path keystore;

    @Option(names = "--keystore-password", paramLabel = "<password>",
            description = "Its password (default: $ATLAS_KEYSTORE_PASSWORD, else none).")
    String keystorePassword;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!Files.isRegularFile(file)) {
                err.println("atlas: no such patch file: " + file);
                return ExitCodes.FAILED;
            }
            out.print(PatchDescription.render(file));
            if (keystore != null) {
                String pw = keystorePassword != null ? keystorePassword : System.getenv("ATLAS_KEYSTORE_PASSWORD");
                KeyStore ks = KeyStore.getInstance(keystore.toFile(), pw == null ? null : pw.toCharArray());
                X509Certificate c = PatchVerifier.verify(file, ks);
                out.println("Signature verified: signed by " + c.getSubjectX500Principal().getName() + " (trusted by "
                        + keystore + ")");
            }
            return ExitCodes.OK;
        } catch (MalformedPatchException e) {
            err.println("atlas: malformed patch " + file + ": " + e.getMessage());
        } catch (PatchSignatureException e) {
            err.println("atlas: " + e.getMessage());
        } catch (IOException | GeneralSecurityException e) {
            err.println("atlas: " + file + ": " + e);
        } finally {
            out.flush();
            err.flush();
        }
        return ExitCodes.FAILED;
    }
}

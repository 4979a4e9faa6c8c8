package dev.atlas.cli.patch;

import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
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
import java.util.Optional;
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
            Patch p = PatchFile.read(file);
            out.print(render(p));
            Optional<X509Certificate> signer = PatchFile.recordedSigner(file);
            if (keystore != null) {
                String pw = keystorePassword != null ? keystorePassword : System.getenv("ATLAS_KEYSTORE_PASSWORD");
                KeyStore ks = KeyStore.getInstance(keystore.toFile(), pw == null ? null : pw.toCharArray());
                X509Certificate c = PatchVerifier.verify(file, ks);
                out.println("signature: valid, signed by " + c.getSubjectX500Principal().getName() + " (trusted by "
                        + keystore + ")");
            } else {
                out.println("signature: " + signer.map(c -> "signed by " + c.getSubjectX500Principal().getName()
                        + " (not verified; pass --keystore to verify)").orElse("unsigned"));
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

    static String render(Patch p) {
        StringBuilder sb = new StringBuilder();
        sb.append("patch ").append(p.id()).append(" (format ").append(p.formatVersion()).append(")\n");
        if (!p.description().isEmpty()) {
            sb.append("  ").append(p.description().replace("\n", "\n  ")).append('\n');
        }
        for (ClassPatch c : p.classes()) {
            sb.append("class ").append(c.className().replace('/', '.')).append('\n');
            sb.append("  applies to version ").append(c.expectedFingerprint(), 0, 16)
                    .append("..., becomes ").append(c.newFingerprint(), 0, 16).append("...\n");
            for (MethodChange m : c.methods()) {
                sb.append("  ").append(m.kind() == MethodChange.Kind.REPLACED ? "replaces " : "adds     ")
                        .append(m.isStatic() ? "static " : "").append(m.name()).append(m.descriptor()).append('\n');
            }
            for (FieldAddition f : c.addedFields()) {
                sb.append("  adds field ").append(f.isStatic() ? "static " : "").append(f.name()).append(' ')
                        .append(f.descriptor()).append(f.initializerMethod() == null ? "" : " (initialised)").append('\n');
            }
            if (c.transferHook() != null) {
                sb.append("  runs ").append(c.transferHook()).append("() once at apply\n");
            }
        }
        for (AddedClass a : p.addedClasses()) {
            sb.append("added class ").append(a.className().replace('/', '.')).append(" (beside ")
                    .append(a.hostClassName().replace('/', '.')).append(")\n");
        }
        return sb.toString();
    }
}

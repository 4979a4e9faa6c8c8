package dev.atlas.patch.snippets;

import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.classfile.IndyRedirect;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;
import dev.atlas.patch.format.PatchSigner;
import dev.atlas.patch.format.StaticStateSummary;
import dev.atlas.patch.format.PatchVerifier;
import dev.atlas.patch.format.VerifiedPatch;

import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The code of the {@code {@snippet}} examples in atlas-patch-format's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build (the
 * javadoc resolves {@code class=dev.atlas.patch.snippets.FormatSnippets region=...} through
 * {@code --snippet-path src/test/java}).
 */
@SuppressWarnings({"unused", "UnnecessaryLocalVariable"})
final class FormatSnippets {
    private FormatSnippets() {}

    static void constructorCall(CodeModel code) {
        // @start region=constructor-call
        int call = ConstructorCall.index(code.elementList());   // -1: no such call (not javac-shaped)
        // @end
    }

    static void classFingerprint() throws Exception {
        // @start region=class-fingerprint
        byte[] bytes = Files.readAllBytes(Path.of("build/classes/com/acme/Foo.class"));
        String fp = ClassFingerprint.of(bytes); // 64 hex digits
        // @end
    }

    static void canonicalCode(MethodModel method) {
        // @start region=canonical-code
        List<String> lines = CanonicalCode.of(UnaryOperator.identity(), indy -> null)
                .render(method.code().orElseThrow());
        // @end
    }

    static void indyRedirect(byte[] bytes) {
        // @start region=indy-redirect
        IndyRedirect.Result r = IndyRedirect.redirect(bytes, "com/acme/Linker", "prelinked", 7);
        // r.sites()[k] is the pool index of the entry call site k was, in the original bytes
        // @end
    }

    static void patchSigner(Path keystoreFile, char[] password) throws Exception {
        // @start region=patch-signer
        KeyStore ks = KeyStore.getInstance(keystoreFile.toFile(), password); // PKCS12
        PatchSigner.sign(Path.of("fix.atlaspatch"), ks, "release", password);
        // @end
    }

    static void patchIds(List<ClassPatch> classes, List<AddedClass> added) {
        // @start region=patch-ids
        Patch draft = new Patch(1, PatchIds.PLACEHOLDER_ID, "fix", classes, added);
        Patch patch = PatchIds.assign(draft);
        assert PatchIds.idOf(patch).equals(patch.id());
        // @end
    }

    static void patch() throws Exception {
        // @start region=patch
        Patch patch = PatchFile.read(Path.of("fix-42.atlaspatch"));
        for (ClassPatch c : patch.classes()) {
            System.out.println(c.className() + " expects " + c.expectedFingerprint());
        }
        // @end
    }

    static void patchVerifier(Path trustFile, char[] password) throws Exception {
        // @start region=patch-verifier
        KeyStore trusted = KeyStore.getInstance(trustFile.toFile(), password);
        VerifiedPatch v = PatchVerifier.open(Path.of("fix.atlaspatch"), trusted);   // read once, checked, parsed
        Patch patch = v.patch();
        // @end
    }

    static void patchFile(Patch patch) throws Exception {
        // @start region=patch-file
        PatchFile.write(patch, Path.of("fix.atlaspatch"));
        Patch back = PatchFile.read(Path.of("fix.atlaspatch")); // equals(patch)
        // @end
    }

    static void verifiedPatch(KeyStore trustedOrNull) throws Exception {
        // @start region=verified-patch
        VerifiedPatch v = PatchVerifier.open(Path.of("fix.atlaspatch"), trustedOrNull);
        String who = v.signer().map(c -> c.getSubjectX500Principal().getName()).orElse("unsigned");
        // @end
    }

    static void staticStateSummary(Patch patch) {
        // @start region=static-state-summary
        for (String line : StaticStateSummary.lines(patch)) {
            System.out.println(line);   // "org.apache.commons.text.StrTokenizer: the new view runs ..."
        }
        // @end
    }
}

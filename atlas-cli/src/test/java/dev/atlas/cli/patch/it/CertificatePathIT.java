package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signer certificates are trusted only along a path the JDK's PKIX validator accepts: a
 * certificate issued by a non-CA leaf under the trusted root is refused by {@code inspect}
 * and by {@code apply --require-signature}; and a signature that does not match the content
 * is never passed off as "unsigned".
 */
class CertificatePathIT {
    private static final String SIGNATURE_ENTRY = "META-INF/ATLAS-PATCH.SIG";
    private final ShopFixture fx = ShopFixture.get();

    @TempDir
    static Path keys;
    static TestCertificates.Chain viaLeaf;
    static TestCertificates.Chain viaCa;

    @TempDir
    Path tmp;

    @BeforeAll
    static void chains() throws Exception {
        viaLeaf = TestCertificates.chain(keys.resolve("via-leaf"), false);
        viaCa = TestCertificates.chain(keys.resolve("via-ca"), true);
    }

    private Path signedFix(TestCertificates.Chain chain, String name) {
        Path out = tmp.resolve(name);
        CliRun b = CliRun.atlas("patch", "build", fx.v1.toString(), fx.v2.toString(), "-o", out.toString(),
                "--include", "acme.shop.**", "--sign-keystore", chain.signerStore().toString(), "--sign-alias", "signer",
                "--sign-password", TestCertificates.PASSWORD);
        assertEquals(0, b.exitCode(), b::toString);
        return out;
    }

    private static CliRun inspect(Path patch, TestCertificates.Chain chain) {
        return CliRun.atlas("patch", "inspect", patch.toString(), "--keystore", chain.trustStore().toString(),
                "--keystore-password", TestCertificates.PASSWORD);
    }

    @Test
    void inspectTrustsAPathThroughACaAndRefusesOneThroughALeaf() {
        CliRun good = inspect(signedFix(viaCa, "via-ca.atlaspatch"), viaCa);
        assertEquals(0, good.exitCode(), good::toString);
        assertTrue(good.out().contains("Signature verified: signed by CN=signer"), good::toString);

        CliRun bad = inspect(signedFix(viaLeaf, "via-leaf.atlaspatch"), viaLeaf);
        assertEquals(1, bad.exitCode(), bad::toString);
        assertFalse(bad.out().contains("Signature verified"), bad::toString);
        assertTrue(bad.err().contains("does not validate to a trusted certificate"), bad::toString);
    }

    @Test
    @Timeout(120)
    void applyRefusesAPathThroughALeafAndASignatureThatDoesNotMatch() throws Exception {
        Path viaLeafPatch = signedFix(viaLeaf, "via-leaf.atlaspatch");
        // the signature of another content (the same signer), put into the fix: it cannot match
        Path other = tmp.resolve("other.atlaspatch");
        CliRun b = CliRun.atlas("patch", "build", fx.v1.toString(), fx.v2.toString(), "-o", other.toString(),
                "--include", "acme.shop.**", "-m", "another description, another id", "--sign-keystore",
                viaCa.signerStore().toString(), "--sign-alias", "signer", "--sign-password", TestCertificates.PASSWORD);
        assertEquals(0, b.exitCode(), b::toString);
        Path mismatched = tmp.resolve("mismatched.atlaspatch");
        replaceEntry(signedFix(viaCa, "via-ca.atlaspatch"), mismatched, SIGNATURE_ENTRY, entry(other, SIGNATURE_ENTRY));

        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent())) {
            String pid = Long.toString(app.pid());
            CliRun r = fx.atlas(List.of("patch", "apply"), pid, viaLeafPatch.toString(), "--require-signature",
                    "--keystore", viaLeaf.trustStore().toString(), "--keystore-password", TestCertificates.PASSWORD);
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("signature check failed"), r::toString);
            assertTrue(r.err().contains("does not validate to a trusted certificate"), r::toString);
            assertEquals("", fx.status(app).field("applied"));

            CliRun m = fx.atlas(List.of("patch", "apply"), pid, mismatched.toString());
            assertFalse(m.out().contains("unsigned") || m.err().contains("unsigned"), m::toString);
            assertEquals(1, m.exitCode(), m::toString);
            assertTrue(m.err().contains("does not match the content"), m::toString);
            assertEquals("", fx.status(app).field("applied"));

            CliRun ok = fx.atlas(List.of("patch", "apply"), pid, viaLeafPatch.toString());
            assertEquals(0, ok.exitCode(), ok::toString);
            assertTrue(ok.out().contains("signed by CN=signer") && ok.out().contains("signer not checked"), ok::toString);
        }
    }

    private static byte[] entry(Path zip, String name) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile()); InputStream in = z.getInputStream(z.getEntry(name))) {
            return in.readAllBytes();
        }
    }

    private static void replaceEntry(Path from, Path to, String name, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile z = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = z.getInputStream(e)) {
                    out.write(e.getName().equals(name) ? data : in.readAllBytes());
                }
                out.closeEntry();
            }
        }
        try (OutputStream os = Files.newOutputStream(to)) {
            bytes.writeTo(os);
        }
    }
}

package dev.atlas.patch.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchSignatureIT {
    static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path keys;
    static KeyStore rsa;
    static KeyStore ec;
    static KeyStore trustRsaOnly;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createKeys() throws Exception {
        rsa = keytool("rsa.p12", "release", "-keyalg", "RSA", "-keysize", "2048");
        ec = keytool("ec.p12", "other", "-keyalg", "EC", "-groupname", "secp256r1");
        // a trust store holding only the RSA certificate (no private key)
        trustRsaOnly = KeyStore.getInstance("PKCS12");
        trustRsaOnly.load(null, null);
        trustRsaOnly.setCertificateEntry("release", rsa.getCertificate("release"));
    }

    static KeyStore keytool(String file, String alias, String... keyOptions) throws Exception {
        Path store = keys.resolve(file);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", alias,
                "-dname", "CN=" + alias + ",O=Atlas Test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        cmd.addAll(List.of(keyOptions));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
        return KeyStore.getInstance(store.toFile(), PASSWORD);
    }

    Path writtenPatch() throws IOException {
        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(PatchFileTest.samplePatch("signed"), file);
        return file;
    }

    @Test
    void signedPatchVerifiesAndStillReads() throws Exception {
        Path file = writtenPatch();
        PatchSigner.sign(file, rsa, "release", PASSWORD);
        X509Certificate signer = PatchVerifier.verify(file, trustRsaOnly);
        assertTrue(signer.getSubjectX500Principal().getName().contains("CN=release"));
        assertEquals(PatchFileTest.samplePatch("signed"), PatchFile.read(file));
        assertTrue(PatchFile.recordedSigner(file).isPresent());
    }

    @Test
    void ecKeysWorkToo() throws Exception {
        Path file = writtenPatch();
        PatchSigner.sign(file, ec, "other", PASSWORD);
        PatchVerifier.verify(file, ec);
    }

    @Test
    void unsignedPatchIsRefused() throws Exception {
        Path file = writtenPatch();
        PatchSignatureException e = assertThrows(PatchSignatureException.class, () -> PatchVerifier.verify(file, trustRsaOnly));
        assertTrue(e.getMessage().contains("unsigned"), e.getMessage());
    }

    @Test
    void otherKeyIsRefused() throws Exception {
        Path file = writtenPatch();
        PatchSigner.sign(file, ec, "other", PASSWORD);
        PatchSignatureException e = assertThrows(PatchSignatureException.class, () -> PatchVerifier.verify(file, trustRsaOnly));
        assertTrue(e.getMessage().contains("not in the trusted key store"), e.getMessage());
    }

    @Test
    void everyTamperedByteIsRefused() throws Exception {
        Path file = writtenPatch();
        PatchSigner.sign(file, rsa, "release", PASSWORD);
        byte[] good = Files.readAllBytes(file);
        int refused = 0;
        // flip one byte at many positions: every one must be refused (the ZIP, the id or the signature)
        for (int pos = 0; pos < good.length; pos += Math.max(1, good.length / 97)) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x01;
            Path tampered = tmp.resolve("t" + pos);
            Files.write(tampered, bad);
            try {
                PatchVerifier.verify(tampered, trustRsaOnly);
                // a flip in ZIP metadata that does not change any entry (e.g. a timestamp) is harmless:
                // then the content must be exactly the signed content
                assertEquals(PatchFile.read(file), PatchFile.read(tampered), "accepted a changed patch at byte " + pos);
            } catch (PatchSignatureException expected) {
                refused++;
            }
        }
        assertTrue(refused > 50, "only " + refused + " tampered files refused");
    }

    @Test
    void resignedContentWithAnotherKeyIsRefused() throws Exception {
        // an attacker changes the patch and signs it with their own key
        Path file = tmp.resolve("evil.atlaspatch");
        PatchFile.write(PatchFileTest.samplePatch("evil"), file);
        PatchSigner.sign(file, ec, "other", PASSWORD);
        assertThrows(PatchSignatureException.class, () -> PatchVerifier.verify(file, trustRsaOnly));
    }
}

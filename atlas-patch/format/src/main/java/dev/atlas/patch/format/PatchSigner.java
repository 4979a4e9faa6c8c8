package dev.atlas.patch.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Signs a patch file in place with a private key from a key store.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=patch-signer}
 *
 * <p>Implementation notes: the signature ({@code SHA256withRSA} for an RSA key,
 * {@code SHA256withECDSA} for an EC key) covers the patch id and the canonical digest of
 * its content ({@link PatchIds}), not the ZIP bytes; it is stored in
 * {@value PatchFile#SIGNATURE} with the signer's certificate chain in
 * {@value PatchFile#CERTIFICATES}. A previous signature is replaced. The file is first
 * read and validated, so a malformed patch is never signed.
 */
public final class PatchSigner {
    private PatchSigner() {
    }

    /**
     * Signs {@code patch} with the private key {@code alias} of {@code keyStore}.
     *
     * @throws IllegalArgumentException if the alias has no private key with a certificate, or the key
     *                                  is neither RSA nor EC
     */
    public static void sign(Path patch, KeyStore keyStore, String alias, char[] password)
            throws IOException, MalformedPatchException, GeneralSecurityException {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(alias, "alias");
        Map<String, byte[]> entries = PatchArchive.read(patch);
        Patch model = PatchManifest.parse(entries);
        if (!keyStore.isKeyEntry(alias)) {
            throw new IllegalArgumentException("key store has no private key under alias '" + alias + "'");
        }
        PrivateKey key = (PrivateKey) keyStore.getKey(alias, password);
        Certificate[] chain = keyStore.getCertificateChain(alias);
        if (chain == null || chain.length == 0) {
            throw new IllegalArgumentException("alias '" + alias + "' has no certificate chain");
        }
        String algorithm = algorithmFor(key.getAlgorithm());
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(key);
        signature.update(PatchIds.signedBytes(model));
        String sig = "algorithm\t" + algorithm + "\nsignature\t" + Base64.getEncoder().encodeToString(signature.sign()) + "\n";
        StringBuilder certs = new StringBuilder();
        for (Certificate c : chain) {
            certs.append(Base64.getEncoder().encodeToString(c.getEncoded())).append('\n');
        }
        entries.remove(PatchFile.SIGNATURE);
        entries.remove(PatchFile.CERTIFICATES);
        entries.put(PatchFile.SIGNATURE, sig.getBytes(StandardCharsets.US_ASCII));
        entries.put(PatchFile.CERTIFICATES, certs.toString().getBytes(StandardCharsets.US_ASCII));
        PatchArchive.write(entries, patch);
    }

    static String algorithmFor(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IllegalArgumentException("key algorithm " + keyAlgorithm + ", expected RSA or EC");
        };
    }
}

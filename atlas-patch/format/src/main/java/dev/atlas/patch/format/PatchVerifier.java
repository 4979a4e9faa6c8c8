package dev.atlas.patch.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a patch file is signed by a trusted key and unchanged since.
 *
 * {@snippet :
 * KeyStore trusted = KeyStore.getInstance(trustFile.toFile(), password);
 * X509Certificate signer = PatchVerifier.verify(Path.of("fix.atlaspatch"), trusted);
 * Patch patch = PatchFile.read(Path.of("fix.atlaspatch"));
 * }
 *
 * <p>Implementation notes: a signer is trusted if its certificate, or a certificate of its
 * chain whose links verify up from the signer, is a certificate of {@code trusted} (a
 * trusted-certificate entry or the certificate of a key entry). Every failure is a
 * {@link PatchSignatureException}: unsigned, malformed or tampered content, unknown
 * signer, wrong signature. The verifier reads the file once; callers that then read it
 * again should make sure nobody can replace it in between.
 */
public final class PatchVerifier {
    private PatchVerifier() {
    }

    /**
     * Verifies the signature of {@code patch} against {@code trusted}.
     *
     * @return the signer's certificate
     * @throws PatchSignatureException if the patch is unsigned, tampered or not signed by a trusted key
     */
    public static X509Certificate verify(Path patch, KeyStore trusted) throws IOException, PatchSignatureException {
        Objects.requireNonNull(trusted, "trusted");
        Map<String, byte[]> entries;
        Patch model;
        try {
            entries = PatchFile.readEntries(patch);
            model = PatchFile.parse(entries);
        } catch (MalformedPatchException e) {
            throw new PatchSignatureException(patch + ": refused, the file is tampered or malformed: " + e.getMessage(), e);
        }
        byte[] sigEntry = entries.get(PatchFile.SIGNATURE);
        byte[] certEntry = entries.get(PatchFile.CERTIFICATES);
        if (sigEntry == null || certEntry == null) {
            throw new PatchSignatureException(patch + ": refused, the patch is unsigned (no " + PatchFile.SIGNATURE + ")");
        }
        List<X509Certificate> chain;
        try {
            chain = PatchFile.certificates(certEntry);
        } catch (MalformedPatchException e) {
            throw new PatchSignatureException(patch + ": refused, " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new PatchSignatureException(patch + ": refused, the signature has no certificate");
        }
        String algorithm = null;
        byte[] signature = null;
        for (String line : PatchFile.lines(new String(sigEntry, StandardCharsets.US_ASCII))) {
            int tab = line.indexOf('\t');
            String[] f = tab < 0 ? new String[] {line} : new String[] {line.substring(0, tab), line.substring(tab + 1)};
            if (f.length == 2 && f[0].equals("algorithm")) {
                algorithm = f[1];
            } else if (f.length == 2 && f[0].equals("signature")) {
                try {
                    signature = Base64.getDecoder().decode(f[1].trim());
                } catch (IllegalArgumentException e) {
                    throw new PatchSignatureException(patch + ": refused, the signature is not base64", e);
                }
            }
        }
        if (algorithm == null || signature == null
                || !(algorithm.equals("SHA256withRSA") || algorithm.equals("SHA256withECDSA"))) {
            throw new PatchSignatureException(patch + ": refused, " + PatchFile.SIGNATURE
                    + " must name SHA256withRSA or SHA256withECDSA and hold a signature");
        }
        X509Certificate signer = chain.getFirst();
        if (!isTrusted(chain, trusted)) {
            throw new PatchSignatureException(patch + ": refused, signer '" + signer.getSubjectX500Principal().getName()
                    + "' is not in the trusted key store");
        }
        try {
            signer.checkValidity();
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(signer.getPublicKey());
            s.update(PatchIds.signedBytes(model));
            if (!s.verify(signature)) {
                throw new PatchSignatureException(patch + ": refused, the signature does not match the content (tampered)");
            }
        } catch (GeneralSecurityException e) {
            throw new PatchSignatureException(patch + ": refused, the signature cannot be checked: " + e.getMessage(), e);
        }
        return signer;
    }

    private static boolean isTrusted(List<X509Certificate> chain, KeyStore trusted) throws PatchSignatureException {
        List<Certificate> anchors = new ArrayList<>();
        try {
            for (String alias : Collections.list(trusted.aliases())) {
                Certificate c = trusted.getCertificate(alias);
                if (c != null) {
                    anchors.add(c);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PatchSignatureException("the trusted key store cannot be read: " + e.getMessage(), e);
        }
        for (int i = 0; i < chain.size(); i++) {
            if (anchors.contains(chain.get(i))) {
                return linksVerify(chain, i);
            }
        }
        return false;
    }

    private static boolean linksVerify(List<X509Certificate> chain, int upTo) {
        try {
            for (int i = 0; i < upTo; i++) {
                chain.get(i).verify(chain.get(i + 1).getPublicKey());
            }
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

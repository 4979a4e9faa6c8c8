package dev.atlas.patch.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a patch file is signed by a trusted key and unchanged since.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=patch-verifier}
 *
 * <p>Implementation notes: a signer is trusted if its own certificate is a certificate of
 * {@code trusted} (a trusted-certificate entry or the certificate of a key entry: pinned), or
 * if the JDK's PKIX {@link CertPathValidator} validates the recorded chain, from the signer up
 * to the first certificate that is in {@code trusted}, against the certificates of
 * {@code trusted} as trust anchors: every issuer must be a CA (basic constraints) allowed to
 * sign certificates (key usage), within its path length, and valid now. Revocation is not
 * checked (patch signers publish no CRL or OCSP). A signer whose key usage excludes digital
 * signatures is refused. Every failure is a
 * {@link PatchSignatureException}: unsigned, malformed or tampered content, unknown
 * signer, wrong signature. {@link #open} reads, unzips, parses and hashes the file once and
 * returns the very patch whose signature it checked, so nothing can change between the
 * check and the use.
 */
public final class PatchVerifier {
    private PatchVerifier() {
    }

    /**
     * Reads {@code file} once and checks it: its content (as {@link PatchFile#read}), its
     * signature if it carries one, and, if {@code trusted} is given, that it is signed by a
     * trusted key. The patch returned is the one whose signature was checked.
     *
     * @param trusted the trusted signers, or null: no signature required (a signature the file
     *                carries must still match its content)
     * @throws MalformedPatchException if the file is not a well-formed patch
     * @throws PatchSignatureException if a signature is required and missing, or the signature
     *                                 is malformed, does not match, or its signer is not trusted
     */
    public static VerifiedPatch open(Path file, KeyStore trusted)
            throws IOException, MalformedPatchException, PatchSignatureException {
        Map<String, byte[]> entries = PatchArchive.read(file);
        Patch model = PatchManifest.parse(entries);
        Optional<Signed> s = signature(file, model, entries);
        if (s.isEmpty()) {
            if (trusted != null) {
                throw new PatchSignatureException(file + ": refused, the patch is unsigned (no " + PatchFile.SIGNATURE + ")");
            }
            return new VerifiedPatch(model, Optional.empty(), false);
        }
        if (trusted != null) {
            checkTrusted(file, s.get().chain(), trusted);
        }
        checkSignature(file, s.get());
        return new VerifiedPatch(model, Optional.of(s.get().chain().getFirst()), trusted != null);
    }

    /**
     * Verifies the signature of {@code patch} against {@code trusted}.
     *
     * @return the signer's certificate
     * @throws PatchSignatureException if the patch is unsigned, tampered or not signed by a trusted key
     */
    public static X509Certificate verify(Path patch, KeyStore trusted) throws IOException, PatchSignatureException {
        Objects.requireNonNull(trusted, "trusted");
        Optional<Signed> signed = read(patch);
        if (signed.isEmpty()) {
            throw new PatchSignatureException(patch + ": refused, the patch is unsigned (no " + PatchFile.SIGNATURE + ")");
        }
        Signed s = signed.get();
        checkTrusted(patch, s.chain(), trusted);
        checkSignature(patch, s);
        return s.chain().getFirst();
    }

    /** A signed patch as read: its model, the recorded chain (signer first), the algorithm and signature. */
    private record Signed(Patch model, List<X509Certificate> chain, String algorithm, byte[] signature) {
    }

    /** Empty if the patch is unsigned (neither signature entry present). */
    private static Optional<Signed> read(Path patch) throws IOException, PatchSignatureException {
        Map<String, byte[]> entries;
        Patch model;
        try {
            entries = PatchArchive.read(patch);
            model = PatchManifest.parse(entries);
        } catch (MalformedPatchException e) {
            throw new PatchSignatureException(patch + ": refused, the file is tampered or malformed: " + e.getMessage(), e);
        }
        return signature(patch, model, entries);
    }

    /** The signature entries of a parsed patch; empty if it is unsigned (neither entry present). */
    private static Optional<Signed> signature(Path patch, Patch model, Map<String, byte[]> entries)
            throws PatchSignatureException {
        byte[] sigEntry = entries.get(PatchFile.SIGNATURE);
        byte[] certEntry = entries.get(PatchFile.CERTIFICATES);
        if (sigEntry == null && certEntry == null) {
            return Optional.empty();
        }
        if (sigEntry == null || certEntry == null) {
            throw new PatchSignatureException(patch + ": refused, the signature is incomplete (" + PatchFile.SIGNATURE
                    + " and " + PatchFile.CERTIFICATES + " go together)");
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
        for (String line : PatchManifest.lines(new String(sigEntry, StandardCharsets.US_ASCII))) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String key = line.substring(0, tab);
            if (key.equals("algorithm")) {
                algorithm = line.substring(tab + 1);
            } else if (key.equals("signature")) {
                try {
                    signature = Base64.getDecoder().decode(line.substring(tab + 1).trim());
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
        return Optional.of(new Signed(model, chain, algorithm, signature));
    }

    private static void checkSignature(Path patch, Signed signed) throws PatchSignatureException {
        X509Certificate signer = signed.chain().getFirst();
        try {
            signer.checkValidity();
            Signature s = Signature.getInstance(signed.algorithm());
            s.initVerify(signer.getPublicKey());
            s.update(PatchIds.signedBytes(signed.model()));
            if (!s.verify(signed.signature())) {
                throw new PatchSignatureException(patch + ": refused, the signature does not match the content (tampered)");
            }
        } catch (GeneralSecurityException e) {
            throw new PatchSignatureException(patch + ": refused, the signature cannot be checked: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses unless {@code chain} leads to {@code trusted}: either the signer's certificate is
     * itself trusted (pinned), or the JDK's PKIX validator accepts the path from the signer up to
     * a trust anchor (basic constraints, key usage, path length, validity of every certificate
     * on the path, signatures). The signer's key usage, if present, must allow digital signatures.
     */
    private static void checkTrusted(Path patch, List<X509Certificate> chain, KeyStore trusted)
            throws PatchSignatureException {
        Set<X509Certificate> anchors = new LinkedHashSet<>();
        try {
            for (String alias : Collections.list(trusted.aliases())) {
                if (trusted.getCertificate(alias) instanceof X509Certificate c) {
                    anchors.add(c);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PatchSignatureException("the trusted key store cannot be read: " + e.getMessage(), e);
        }
        X509Certificate signer = chain.getFirst();
        String who = "signer '" + signer.getSubjectX500Principal().getName() + "'";
        boolean[] usage = signer.getKeyUsage();
        if (usage != null && !usage[0]) {
            throw new PatchSignatureException(patch + ": refused, " + who
                    + " has a key usage without digitalSignature: its key may not sign");
        }
        if (anchors.contains(signer)) {
            return; // pinned: the signer's own certificate is trusted
        }
        if (anchors.isEmpty()) {
            throw new PatchSignatureException(patch + ": refused, " + who
                    + " is not in the trusted key store (it holds no certificate)");
        }
        // the path ends below the first certificate that is itself a trust anchor
        int end = chain.size();
        for (int i = 1; i < chain.size(); i++) {
            if (anchors.contains(chain.get(i))) {
                end = i;
                break;
            }
        }
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, end));
            Set<TrustAnchor> trust = new LinkedHashSet<>();
            for (X509Certificate a : anchors) {
                trust.add(new TrustAnchor(a, null));
            }
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false); // no CRL or OCSP endpoints for patch signers
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (CertPathValidatorException e) {
            String at = e.getIndex() >= 0 && e.getIndex() < end
                    ? " at certificate " + e.getIndex() + " ('" + chain.get(e.getIndex()).getSubjectX500Principal().getName() + "')"
                    : "";
            throw new PatchSignatureException(patch + ": refused, " + who
                    + " is not in the trusted key store and its certificate path does not validate to a trusted "
                    + "certificate (PKIX" + at + "): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PatchSignatureException(patch + ": refused, the certificate path of " + who
                    + " cannot be checked: " + e.getMessage(), e);
        }
    }
}

package dev.atlas.patch.format;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * A patch as {@link PatchVerifier#open} read it: the parsed patch, and who signed it.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=verified-patch}
 *
 * @param patch         the patch, parsed and checked once (manifest, classes, content hash)
 * @param signer        the signer's certificate if the file is signed (its signature matches the
 *                      content); empty if unsigned
 * @param signerTrusted whether the signer was checked against a trusted key store (pinned or a
 *                      PKIX path to it); false when no key store was given
 */
public record VerifiedPatch(Patch patch, Optional<X509Certificate> signer, boolean signerTrusted) {
    public VerifiedPatch {
        Objects.requireNonNull(patch, "patch");
        Objects.requireNonNull(signer, "signer");
        if (signerTrusted && signer.isEmpty()) {
            throw new IllegalArgumentException("a trusted signer needs a certificate");
        }
    }

    /**
     * For people, e.g. {@code signature verified: CN=ops}, {@code unsigned, no signature
     * required}, or {@code signed by CN=dev, signature matches the content, signer not checked:
     * no signature required}.
     */
    public String describeSigner() {
        if (signer.isEmpty()) {
            return "unsigned, no signature required";
        }
        String name = signer.get().getSubjectX500Principal().getName();
        return signerTrusted ? "signature verified: " + name
                : "signed by " + name + ", signature matches the content, signer not checked: no signature required";
    }
}

package dev.atlas.cli.patch.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificate chains made by {@code keytool} for signature tests: a root CA, an issuer under
 * it (a proper intermediate CA, or a plain end-entity certificate that has no business issuing
 * certificates) and a signer issued by that issuer, with the signer's key store holding the
 * chain and a trust store holding only the root.
 */
final class TestCertificates {
    static final String PASSWORD = "atlas-test";

    /** The signer's key store (alias {@code signer}, chain signer, issuer, root) and the trust store (root only). */
    record Chain(Path signerStore, Path trustStore) {
    }

    private TestCertificates() {
    }

    /**
     * @param issuerIsCa true: the issuer is a CA ({@code CA:true, pathlen:0, keyCertSign});
     *                   false: a leaf ({@code CA:false, digitalSignature} only)
     */
    static Chain chain(Path dir, boolean issuerIsCa) throws Exception {
        Files.createDirectories(dir);
        Path root = dir.resolve("root.p12");
        Path issuer = dir.resolve("issuer.p12");
        Path signer = dir.resolve("signer.p12");
        Path trust = dir.resolve("trust.p12");
        genkey(root, "root", "-ext", "bc:c=ca:true", "-ext", "ku:c=keyCertSign,cRLSign");
        genkey(issuer, "issuer");
        issue(root, "root", issuer, "issuer", dir, issuerIsCa
                ? new String[] {"-ext", "bc:c=ca:true,pathlen:0", "-ext", "ku:c=keyCertSign,cRLSign"}
                : new String[] {"-ext", "bc:c=ca:false", "-ext", "ku:c=digitalSignature"});
        genkey(signer, "signer");
        Path signerPem = issue(issuer, "issuer", signer, "signer", dir, "-ext", "ku:c=digitalSignature");
        Path issuerPem = dir.resolve("issuer.pem");
        Path rootPem = dir.resolve("root.pem");
        keytool("-exportcert", "-alias", "root", "-keystore", root.toString(), "-storepass", PASSWORD, "-rfc",
                "-file", rootPem.toString());
        Path chainPem = dir.resolve("chain.pem");
        Files.writeString(chainPem, Files.readString(signerPem) + Files.readString(issuerPem) + Files.readString(rootPem));
        keytool("-importcert", "-alias", "signer", "-keystore", signer.toString(), "-storepass", PASSWORD,
                "-file", chainPem.toString(), "-noprompt");
        keytool("-importcert", "-alias", "root", "-keystore", trust.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-file", rootPem.toString(), "-noprompt");
        return new Chain(signer, trust);
    }

    private static void genkey(Path store, String alias, String... ext) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC",
                "-dname", "CN=" + alias + ",O=Atlas test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD));
        args.addAll(List.of(ext));
        keytool(args.toArray(String[]::new));
    }

    /** {@code issuerAlias} of {@code issuerStore} issues the certificate of {@code subjectAlias}; returns its PEM file. */
    private static Path issue(Path issuerStore, String issuerAlias, Path subjectStore, String subjectAlias, Path dir,
                              String... ext) throws Exception {
        Path csr = dir.resolve(subjectAlias + ".csr");
        Path pem = dir.resolve(subjectAlias + ".pem");
        keytool("-certreq", "-alias", subjectAlias, "-keystore", subjectStore.toString(), "-storepass", PASSWORD,
                "-file", csr.toString());
        List<String> args = new ArrayList<>(List.of("-gencert", "-alias", issuerAlias, "-keystore",
                issuerStore.toString(), "-storepass", PASSWORD, "-infile", csr.toString(), "-outfile", pem.toString(),
                "-rfc", "-validity", "2"));
        args.addAll(List.of(ext));
        keytool(args.toArray(String[]::new));
        return pem;
    }

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, () -> "keytool " + args[0] + " failed: " + out);
    }
}

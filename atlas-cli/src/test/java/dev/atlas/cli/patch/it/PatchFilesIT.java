package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code atlas patch build} and {@code inspect}, and signed patches applied with {@code --require-signature}. */
class PatchFilesIT {
    private static final String PASSWORD = "atlas-test";
    private final ShopFixture fx = ShopFixture.get();

    @TempDir
    Path tmp;

    @Test
    void inspectShowsWhatThePatchChangesAndRefusesMalformedFiles() throws Exception {
        CliRun r = CliRun.atlas("patch", "inspect", fx.fix.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Patch " + fx.fixPatch.id()), r::toString);
        assertTrue(r.out().contains("acme.shop.Pricing"), r::toString);
        assertTrue(r.out().contains("acme.shop.Catalog"), r::toString);
        assertTrue(r.out().contains("replaced"), r::toString);
        assertTrue(r.out().contains("Signature: unsigned"), r::toString);

        Path bad = tmp.resolve("bad.atlaspatch");
        Files.writeString(bad, "PK but not really");
        CliRun m = CliRun.atlas("patch", "inspect", bad.toString());
        assertEquals(1, m.exitCode(), m::toString);
        assertTrue(m.err().contains("malformed patch " + bad), m::toString);
    }

    @Test
    void buildRefusesChangesThatCannotBePatchedAndWritesNothing() throws Exception {
        Map<String, String> v3 = new HashMap<>(ShopApp.sources("v2"));
        v3.computeIfPresent("acme/shop/Catalog.java", (k, s) -> s.replace("public final class Catalog {",
                "public final class Catalog implements java.io.Serializable {"));   // a new interface: refused
        Path v3Dir = ShopApp.compile(v3, tmp.resolve("v3"));
        Path out = tmp.resolve("refused.atlaspatch");
        CliRun r = CliRun.atlas("patch", "build", fx.v1.toString(), v3Dir.toString(), "-o", out.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("cannot be patched live"), r::toString);
        assertTrue(r.err().contains("acme/shop/Catalog") || r.err().contains("acme.shop.Catalog"), r::toString);
        assertTrue(r.err().contains("Nothing was written"), r::toString);
        assertFalse(Files.exists(out));

        CliRun same = CliRun.atlas("patch", "build", fx.v1.toString(), fx.v1.toString(), "-o", out.toString());
        assertEquals(1, same.exitCode(), same::toString);
        assertTrue(same.err().contains("do not differ"), same::toString);
        assertFalse(Files.exists(out));
    }

    @Test
    void buildReadsTheLibrariesOnTheClasspathToCheckOverrides() throws Exception {
        String base = "package lib; public class Base { public int id() { return 1; } }";
        String sub = "package app; public class Sub extends lib.Base { public int a() { return 1; } }";
        Path v1 = ShopApp.compile(Map.of("lib/Base.java", base, "app/Sub.java", sub), tmp.resolve("cp1"));
        Path v2 = ShopApp.compile(Map.of("lib/Base.java", base,
                "app/Sub.java", sub.replace("public int a()", "public int b() { return 2; } public int a()")), tmp.resolve("cp2"));
        Path lib = tmp.resolve("cplib/lib");
        Files.createDirectories(lib);
        Files.move(v1.resolve("lib/Base.class"), lib.resolve("Base.class"));
        Files.delete(v2.resolve("lib/Base.class"));
        Path out = tmp.resolve("cp.atlaspatch");
        CliRun without = CliRun.atlas("patch", "build", v1.toString(), v2.toString(), "-o", out.toString());
        assertEquals(1, without.exitCode(), without::toString);
        assertTrue(without.err().contains("lib/Base is in neither build nor the classpath") && without.err().contains("--classpath"),
                without::toString);
        CliRun with = CliRun.atlas("patch", "build", v1.toString(), v2.toString(), "-o", out.toString(),
                "--classpath", tmp.resolve("cplib").toString());
        assertEquals(0, with.exitCode(), with::toString);
        assertTrue(with.out().contains("b()"), with::toString);
        CliRun missing = CliRun.atlas("patch", "build", v1.toString(), v2.toString(), "-o", tmp.resolve("x.atlaspatch").toString(),
                "--classpath", tmp.resolve("no-such.jar").toString());
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("no such library on --classpath"), missing::toString);
    }

    @Test
    @Timeout(120)
    void signedPatchesOnlyWhenASignatureIsRequired() throws Exception {
        Path keys = tmp.resolve("release.p12");
        TestCertificates.keytool("-genkeypair", "-keyalg", "EC", "-alias", "release", "-dname", "CN=release,O=Atlas test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(), "-storepass", PASSWORD);
        Path signed = tmp.resolve("signed.atlaspatch");
        CliRun b = CliRun.atlas("patch", "build", fx.v1.toString(), fx.v2.toString(), "-o", signed.toString(),
                "--include", "acme.shop.**", "--sign-keystore", keys.toString(), "--sign-password", PASSWORD);
        assertEquals(0, b.exitCode(), b::toString);
        assertTrue(b.out().contains("signed by CN=release"), b::toString);
        CliRun verified = CliRun.atlas("patch", "inspect", signed.toString(), "--keystore", keys.toString(),
                "--keystore-password", PASSWORD);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.out().contains("Signature verified: signed by CN=release"), verified::toString);

        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent())) {
            String pid = Long.toString(app.pid());
            CliRun unsigned = fx.atlas(List.of("patch", "apply"), pid, fx.fix.toString(), "--require-signature",
                    "--keystore", keys.toString(), "--keystore-password", PASSWORD);
            assertEquals(1, unsigned.exitCode(), unsigned::toString);
            assertTrue(unsigned.err().contains("signature check failed"), unsigned::toString);
            assertTrue(unsigned.err().contains("unsigned"), unsigned::toString);
            assertEquals("", fx.status(app).field("applied"));

            CliRun ok = fx.atlas(List.of("patch", "apply"), pid, signed.toString(), "--require-signature",
                    "--keystore", keys.toString(), "--keystore-password", PASSWORD, "--raw");
            assertEquals(0, ok.exitCode(), ok::toString);
            CommandReply reply = ShopFixture.reply(ok);
            assertTrue(reply.field("signer").contains("CN=release"), reply::toString);
            assertEquals(reply.field("patch"), fx.status(app).field("applied"));
        }
    }

    @Test
    void anOversizedDescriptionIsRefusedBeforeTheTargetIsContacted() throws Exception {
        CliRun refusedBuild = CliRun.atlas("patch", "build", fx.v1.toString(), fx.v2.toString(), "-o",
                tmp.resolve("never.atlaspatch").toString(), "-m", "x".repeat(PatchFile.MAX_DESCRIPTION_CHARS + 1));
        assertEquals(2, refusedBuild.exitCode(), refusedBuild::toString);
        assertFalse(Files.exists(tmp.resolve("never.atlaspatch")));
        // a patch written by other means, with a description over the limit
        Patch p = fx.fixPatch;
        Path big = tmp.resolve("big.atlaspatch");
        PatchFile.write(PatchIds.assign(new Patch(p.formatVersion(), PatchIds.PLACEHOLDER_ID,
                "x".repeat(PatchFile.MAX_DESCRIPTION_CHARS + 1), p.classes(), p.addedClasses())), big);
        // pid 1 is never attached to: the patch is read (and refused) before any contact
        CliRun r = fx.atlas(List.of("patch", "apply"), "1", big.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("(MAX_DESCRIPTION_CHARS)"), r::toString);
        assertTrue(r.err().contains("Nothing was sent to process 1"), r::toString);
    }
}

package dev.atlas.cli.spaces;

import dev.atlas.cli.CliRun;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.SpaceInfo;
import dev.atlas.spaces.format.SpaceMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpacesCommandIT {
    @TempDir
    Path tmp;

    private CliRun atlas(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "spaces";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--dir";
        all[args.length + 2] = tmp.toString();
        return CliRun.atlas(all);
    }

    @Test
    void listInspectAndRemoveSpaces() throws Exception {
        assertTrue(atlas("list").out().contains("no spaces in " + tmp), atlas("list").toString());
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        long pid = ProcessHandle.current().pid();
        try (SharedSpace s = dir.create("orders", 1 << 20, 0640)) {
            long p = s.allocate(64);
            s.setRoot("head", "node", p);
            long base = s.metadata().segments().getFirst().base();

            CliRun list = atlas("list");
            assertEquals(0, list.exitCode(), list.toString());
            assertTrue(list.out().contains("orders") && list.out().contains("1 MiB") && list.out().contains("0640")
                    && list.out().contains("[" + pid + "]"), list.toString());

            CliRun inspect = atlas("inspect", "orders");
            assertEquals(0, inspect.exitCode(), inspect.toString());
            assertTrue(inspect.out().contains("0x" + Long.toHexString(base) + "-0x" + Long.toHexString(base + (1 << 20))),
                    inspect.toString());
            assertTrue(inspect.out().contains("head") && inspect.out().contains("node")
                    && inspect.out().contains("0x" + Long.toHexString(p)), inspect.toString());
            assertTrue(inspect.out().contains("pids [" + pid + "]") && inspect.out().contains("lock: free"), inspect.toString());

        }
        // another JVM attached: rm refuses naming it; once it is killed, inspect names it as dead and rm works
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                AttachedChild.class.getName(), tmp.toString(), "orders").start();
        try {
            assertEquals("attached orders", new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream())).readLine());
            CliRun busy = atlas("rm", "orders");
            assertEquals(1, busy.exitCode(), busy.toString());
            assertTrue(busy.err().contains("'orders'") && busy.err().contains(Long.toString(child.pid()))
                    && busy.err().contains("force"), busy.toString());
        } finally {
            child.destroyForcibly().waitFor();
        }
        CliRun dead = atlas("inspect", "orders");
        assertTrue(dead.out().contains("died while attached: pids [" + child.pid() + "]"), dead.toString());
        CliRun rm = atlas("rm", "orders");
        assertEquals(0, rm.exitCode(), rm.toString());
        assertFalse(atlas("list").out().contains("orders"));
    }

    @Test
    void badAndMissingNamesAreClearErrors() {
        CliRun bad = atlas("inspect", "../etc");
        assertEquals(1, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("'../etc'") && bad.err().contains("expected"), bad.toString());
        CliRun missing = atlas("rm", "nothing");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("no space 'nothing' in " + tmp), missing.toString());
        assertEquals(2, CliRun.atlas("spaces").exitCode());
    }

    @Test
    void deadAttachersAndADeadLockHolderAreNamed() {
        SpaceMetadata m = new SpaceMetadata("kv", 0xabcL, 1000, 0600,
                List.of(new SpaceMetadata.Segment("main", 0x2000_4000_0000L, 1 << 20)), Map.of());
        String text = SpaceReport.render(new SpaceInfo(m, List.of(), 4096, 4242, false, List.of(4242L, 4343L)));
        assertTrue(text.contains("died while attached: pids [4242, 4343]"), text);
        assertTrue(text.contains("held by pid 4242, which is dead"), text);
        assertTrue(text.contains("0x200040000000-0x200040100000"), text);
    }
}

package dev.atlas.demo.run;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the patch demo without the {@code atlas} CLI (which wires the same API as
 * {@code atlas demo}): {@code DemoMain [--quick] [--root <repo>] [--png <file>] [--modes control,atlas,hotswap,restart]
 * [--atlas-apply-command "atlas patch apply"]}. With {@code --atlas-apply-command}, the Atlas
 * mode applies the patch with that command ({@link CommandApplier}), else with the demo's
 * patch-trigger agent ({@link TriggerAgentApplier}).
 * Exit code 0 if it ran, 1 if the environment is not ready (it says what is missing), 2 for
 * bad arguments.
 */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path root = Path.of(".");
        Path png = null;
        List<String> names = null;
        List<String> applyCommand = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--root" -> root = Path.of(value(args, ++i));
                case "--png" -> png = Path.of(value(args, ++i));
                case "--modes" -> names = List.of(value(args, ++i).split(","));
                case "--atlas-apply-command" -> applyCommand = List.of(value(args, ++i).trim().split("\\s+"));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        Path work = root.resolve("target/atlas-demo");
        DemoOptions options = quick ? DemoOptions.quick(work) : DemoOptions.defaults(work);
        if (png != null) {
            options = options.withPng(png);
        }
        List<PatchMode> modes = new ArrayList<>();
        List<PatchMode> all = applyCommand == null ? PatchDemo.standardModes()
                : List.of(new ControlMode(new AtlasMode(new CommandApplier(applyCommand))),
                        new AtlasMode(new CommandApplier(applyCommand)), new HotSwapMode(), new RestartMode());
        for (PatchMode m : all) {
            if (names == null || names.contains(m.name())) {
                modes.add(m);
            }
        }
        if (modes.isEmpty()) {
            usage("--modes names none of control, atlas, hotswap, restart");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PatchDemo demo = new PatchDemo(options, DemoArtifacts.inRepository(root), out);
        List<String> problems = demo.environmentProblems();
        if (!problems.isEmpty()) {
            out.println("The patch demo cannot run here:");
            problems.forEach(p -> out.println("  - " + p));
            System.exit(1);
        }
        DemoReport report = demo.run(modes);
        out.println();
        out.print(report.table());
        out.flush();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("patch demo: " + problem);
        System.err.println("usage: [--quick] [--root <repo>] [--png <file>] [--modes control,atlas,hotswap,restart]"
                + " [--atlas-apply-command \"atlas patch apply\"]");
        System.exit(2);
    }
}

package dev.atlas.demo.snippets;

import dev.atlas.demo.command.InProcessCliApplier;
import dev.atlas.demo.load.OpenLoop;
import dev.atlas.demo.load.RequestMix;
import dev.atlas.demo.load.RequestSender;
import dev.atlas.demo.load.Response;
import dev.atlas.demo.load.SocketSender;
import dev.atlas.demo.load.TagKind;
import dev.atlas.demo.load.VersionTags;
import dev.atlas.demo.load.WindowRecorder;
import dev.atlas.demo.load.WindowStats;
import dev.atlas.demo.plot.LatencyPlot;
import dev.atlas.demo.plot.Series;
import dev.atlas.demo.run.AtlasMode;
import dev.atlas.demo.run.ChangeOutcome;
import dev.atlas.demo.run.ControlMode;
import dev.atlas.demo.run.DemoArtifacts;
import dev.atlas.demo.run.DemoOptions;
import dev.atlas.demo.run.DemoReport;
import dev.atlas.demo.run.PatchDemo;
import dev.atlas.demo.run.PatchMode;
import dev.atlas.demo.run.Ports;
import dev.atlas.demo.run.RestartMode;
import dev.atlas.demo.run.ServiceControl;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The code of the {@code {@snippet}} examples in the demo harness's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build (the
 * javadoc run after test-compile resolves the regions through {@code --snippet-path}).
 */
@SuppressWarnings("unused")
final class HarnessSnippets {
    private HarnessSnippets() {}

    static OpenLoop.Result openLoop(RequestSender sender) throws InterruptedException {
        // @start region=open-loop
        WindowRecorder recorder = new WindowRecorder(System.nanoTime() + 50_000_000L, 250_000_000L, 40);
        OpenLoop.Result r = new OpenLoop(800, Duration.ofSeconds(10), new VersionTags("v1", "v2"))
                .run(sender, recorder.startNanos(), recorder, Duration.ofSeconds(5));
        // @end
        return r;
    }

    static Response socketSender() throws InterruptedException {
        // @start region=socket-sender
        try (SocketSender sender = new SocketSender(new InetSocketAddress("127.0.0.1", 8080), new RequestMix(200, 20),
                64, Duration.ofSeconds(5))) {
            Response r = sender.send(0).join();
            // @end
            return r;
        }
    }

    static void versionTags() {
        // @start region=version-tags
        VersionTags tags = new VersionTags("v1", "v2");
        tags.classify("v1.v1.v1");   // OLD
        tags.classify("v2.v2.v2");   // NEW
        tags.classify("v1.v2.v2");   // MIXED
        tags.classify(null);         // UNKNOWN
        // @end
    }

    static byte[] requestMix() {
        // @start region=request-mix
        byte[] request = new RequestMix(200, 20).request(7, "127.0.0.1:8080");
        // @end
        return request;
    }

    static List<WindowStats> windowRecorder(long start, long intendedNanos) {
        // @start region=window-recorder
        WindowRecorder recorder = new WindowRecorder(start, TimeUnit.MILLISECONDS.toNanos(250), 40);
        recorder.success(intendedNanos, System.nanoTime(), TagKind.OLD);
        List<WindowStats> windows = recorder.windows();
        // @end
        return windows;
    }

    static PatchMode inProcessCliApplier() {
        // @start region=in-process-cli-applier
        AtlasMode mode = new AtlasMode(new InProcessCliApplier());
        // @end
        return mode;
    }

    static DemoReport controlMode(PatchDemo demo) throws IOException, InterruptedException {
        // @start region=control-mode
        List<PatchMode> modes = List.of(new ControlMode(new AtlasMode()), new AtlasMode());
        DemoReport report = demo.run(modes);   // same scenario, with and without the patch at T
        // @end
        return report;
    }

    static ChangeOutcome patchMode(DemoArtifacts artifacts, Ports ports, ServiceControl service)
            throws IOException, InterruptedException {
        ChangeOutcome outcome = null;
        // @start region=patch-mode
        PatchMode mode = new RestartMode();
        if (mode.unavailable(artifacts).isEmpty()) {
            List<String> jvm = mode.serviceJvmOptions(artifacts, ports);   // for the v1 service process
            // ... start the service and the load ...
            outcome = mode.applyChange(service);                          // at time T
        }
        // @end
        return outcome;
    }

    static void patchDemo() throws IOException, InterruptedException {
        // @start region=patch-demo
        PatchDemo demo = new PatchDemo(DemoOptions.defaults(Path.of("target/atlas-demo")),
                DemoArtifacts.inRepository(Path.of(".")), new PrintWriter(System.out, true));
        List<String> problems = demo.environmentProblems();
        if (problems.isEmpty()) {
            DemoReport report = demo.run(PatchDemo.standardModes());
            System.out.println(report.table());
        }
        // @end
    }

    static boolean latencyPlot(double[] xs, double[] ys) throws IOException {
        // @start region=latency-plot
        LatencyPlot plot = new LatencyPlot("p99.9 latency per 250 ms window", "seconds from the change",
                "latency (ms, log scale)", 1200, 600);
        plot.write(Path.of("latency.png"), List.of(new Series("restart", Color.RED, xs, ys)), 0.0, "change");
        // @end
        return true;
    }
}

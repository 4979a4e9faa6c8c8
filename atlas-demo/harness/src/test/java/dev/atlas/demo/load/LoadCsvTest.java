package dev.atlas.demo.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadCsvTest {
    @TempDir
    Path dir;

    @Test
    void writtenRunReadsBackTheSame() throws IOException {
        WindowRecorder r = new WindowRecorder(0, 250_000_000L, 3);
        for (int i = 0; i < 500; i++) {
            long intended = i * 1_000_000L;
            r.success(intended, intended + (i + 1) * 10_000L, i % 3 == 0 ? TagKind.MIXED : TagKind.OLD);
        }
        r.failure(600_000_000L);
        LoadRun run = new LoadRun(1_763_000_000_000_000L, 800, 501, 0, 1234, 56, 789, r.windows());
        Path file = dir.resolve("sub/load.csv");
        LoadCsv.write(run, file);

        LoadRun back = LoadCsv.read(file);
        assertEquals(run.startEpochMicros(), back.startEpochMicros());
        assertEquals(800, back.rate());
        assertEquals(501, back.sent());
        assertEquals(1234, back.maxSendLagMicros());
        assertEquals(56, back.p99SendLagMicros());
        assertEquals(789, back.cpuMillis());
        assertEquals(run.windows().size(), back.windows().size());
        for (int i = 0; i < run.windows().size(); i++) {
            WindowStats a = run.windows().get(i);
            WindowStats b = back.windows().get(i);
            assertEquals(a.ok(), b.ok());
            assertEquals(a.failed(), b.failed());
            assertEquals(a.tags(), b.tags());
            assertEquals(a.p50(), b.p50());
            assertEquals(a.p999(), b.p999());
            assertEquals(a.max(), b.max());
            assertEquals(a.latencies(), b.latencies());
        }
        assertEquals(250, back.windowMillis());
        assertEquals(2, back.between(0, 500).size());
    }

    @Test
    void malformedFileIsRejectedNamingTheLine() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "hello\n");
        IOException e = assertThrows(IOException.class, () -> LoadCsv.read(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());

        Files.write(file, List.of(LoadCsv.MAGIC, "#rate=800", LoadCsv.COLUMNS, "0,0,250,1,0"));
        e = assertThrows(IOException.class, () -> LoadCsv.read(file));
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
    }
}

package dev.atlas.patch.variant;

import java.util.List;

/**
 * One traced call in a tracing variant.
 *
 * @param thread    name of the calling thread
 * @param method    "com.acme.Foo#bar(I)V"
 * @param arguments the arguments, as {@code String.valueOf}, each cut to 200 characters
 * @param nanos     wall time of the call
 * @param outcome   "returned <value>" or "threw <exception>"
 */
public record TraceRecord(String thread, String method, List<String> arguments, long nanos, String outcome) {}

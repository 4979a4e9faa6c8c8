package dev.atlas.it.servers;

import dev.atlas.testsupport.TaggedLoad;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streaming gRPC calls of the suite's service ({@code it.grpc.TagService}) as load: a path {@code name#kind} is
 * one call of kind {@code server-stream} ({@code TagStream}: one request, three responses), {@code client-stream}
 * ({@code TagUpload}: three request messages, one response) or {@code bidi} ({@code TagChat}: three messages,
 * each sent once the previous one was answered) on the port called {@code name}.
 *
 * <p>Every call is checked at the granularity the request boundary gives (README, "Works with"): a
 * <em>unit</em> is what one callback of the server call does. A {@code TagStream} call is one unit (its
 * handler sends every response in one callback), so all its tags must be one version; a {@code TagUpload} or
 * {@code TagChat} call has a unit per request message (and {@code TagUpload} one for its completion), each of
 * which must be one version, while two units of one call may run in different versions during a migration.
 * The body handed to {@link TaggedLoad}: a unit in two versions makes it <em>mixed</em> (more or fewer than
 * three tags before the first space); otherwise it starts with the first unit's tags, and a call whose units
 * ran in two versions says {@code crossed} (counted here, and never allowed in a phase with no change running:
 * {@link PatchSequence}).
 *
 * <p>Threading: {@link #send} from any number of threads; {@link #CHANNELS} channels per port, taken in turn,
 * so that the direct-executor server's calls spread over its event loops.
 */
final class GrpcStreamingExchange implements TaggedLoad.Exchange {
    static final MethodDescriptor<String, String> TAG_STREAM = method(MethodDescriptor.MethodType.SERVER_STREAMING,
            "TagStream");
    static final MethodDescriptor<String, String> TAG_UPLOAD = method(MethodDescriptor.MethodType.CLIENT_STREAMING,
            "TagUpload");
    static final MethodDescriptor<String, String> TAG_CHAT = method(MethodDescriptor.MethodType.BIDI_STREAMING,
            "TagChat");
    /** Messages a client-streaming or bidi call sends; responses of a server-streaming call. */
    static final int MESSAGES = 3;
    static final int CHANNELS = 4;
    private static final long DEADLINE_S = 30;

    static final ServerCase.Loads LOADS = process -> new GrpcStreamingExchange(process.namedPorts());

    private final Map<String, Integer> ports;
    private final Map<String, ManagedChannel[]> channels = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> crossed = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> crossedSamples = new ConcurrentLinkedQueue<>();

    GrpcStreamingExchange(Map<String, Integer> ports) {
        this.ports = Map.copyOf(ports);
    }

    private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("it.Tags/" + name)
                .setRequestMarshaller(ServerExchange.Utf8.INSTANCE).setResponseMarshaller(ServerExchange.Utf8.INSTANCE)
                .build();
    }

    @Override
    public String send(String path) throws Exception {
        int hash = path.indexOf('#');
        String name = hash < 0 ? "" : path.substring(0, hash);
        String kind = path.substring(hash + 1);
        Integer port = ports.get(name);
        if (hash < 0 || port == null) {
            throw new IllegalArgumentException("path '" + path + "': expected name#kind with a server name of "
                    + ports.keySet());
        }
        ManagedChannel[] chs = channels.computeIfAbsent(name, n -> open(port));
        ManagedChannel ch = chs[Math.floorMod(next.getAndIncrement(), chs.length)];
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
        List<String> units = switch (kind) {
            case "server-stream" -> serverStream(ch, options);
            case "client-stream" -> clientStream(ch, options);
            case "bidi" -> bidi(ch, options);
            default -> throw new IllegalArgumentException("path '" + path + "': kind '" + kind
                    + "', expected server-stream, client-stream or bidi");
        };
        calls.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
        return body(path, units) + " @" + path;
    }

    private static ManagedChannel[] open(int port) {
        ManagedChannel[] chs = new ManagedChannel[CHANNELS];
        for (int i = 0; i < chs.length; i++) {
            chs[i] = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        }
        return chs;
    }

    /** The whole call is one unit: its responses' tags joined. */
    private static List<String> serverStream(ManagedChannel ch, CallOptions options) {
        List<String> tags = new ArrayList<>();
        for (Iterator<String> it = ClientCalls.blockingServerStreamingCall(ch, TAG_STREAM, options, "tag"); it.hasNext(); ) {
            tags.add(it.next());
        }
        if (tags.size() != MESSAGES) {
            throw new IllegalStateException("TagStream answered " + tags.size() + " message(s), expected " + MESSAGES
                    + ": " + tags);
        }
        return List.of(String.join("-", tags));
    }

    /** A unit per message and one for the completion, as the response lists them. */
    private static List<String> clientStream(ManagedChannel ch, CallOptions options) throws Exception {
        Responses responses = new Responses();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(ch.newCall(TAG_UPLOAD, options), responses);
        for (int i = 0; i < MESSAGES; i++) {
            requests.onNext("m" + i);
        }
        requests.onCompleted();
        List<String> all = responses.done.get(DEADLINE_S + 5, TimeUnit.SECONDS);
        if (all.size() != 1) {
            throw new IllegalStateException("TagUpload answered " + all.size() + " message(s), expected 1: " + all);
        }
        List<String> units = List.of(all.getFirst().split(","));
        if (units.size() != MESSAGES + 1) {
            throw new IllegalStateException("TagUpload listed " + units.size() + " unit(s), expected " + (MESSAGES + 1)
                    + ": " + all.getFirst());
        }
        return units;
    }

    /** Each message sent once the previous one was answered; a unit per response. */
    private static List<String> bidi(ManagedChannel ch, CallOptions options) throws Exception {
        Responses responses = new Responses();
        ClientCall<String, String> call = ch.newCall(TAG_CHAT, options);
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(call, responses);
        List<String> units = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            requests.onNext("m" + i);
            String unit = responses.each.poll(DEADLINE_S + 5, TimeUnit.SECONDS);
            if (unit == Responses.FAILED) {
                return responses.done.get();   // throws the call's error
            }
            if (unit == null) {
                requests.onError(new IllegalStateException("no answer"));
                throw new IllegalStateException("TagChat: no answer to message " + i + " within " + (DEADLINE_S + 5)
                        + " s; " + responses.done);
            }
            units.add(unit);
        }
        requests.onCompleted();
        List<String> rest = responses.done.get(DEADLINE_S + 5, TimeUnit.SECONDS);
        if (rest.size() != MESSAGES) {
            throw new IllegalStateException("TagChat answered " + rest.size() + " message(s), expected " + MESSAGES);
        }
        return units;
    }

    /** Responses of one call: each as it comes, and all of them once the call completed (or its error). */
    private static final class Responses implements StreamObserver<String> {
        /** Put in {@link #each} when the call failed (compared by identity). */
        @SuppressWarnings("StringOperationCanBeSimplified")
        static final String FAILED = new String("the call failed");
        final LinkedBlockingQueue<String> each = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();
        final CompletableFuture<List<String>> done = new CompletableFuture<>();

        @Override
        public synchronized void onNext(String value) {
            all.add(value);
            each.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
            each.add(FAILED);
        }

        @Override
        public synchronized void onCompleted() {
            done.complete(List.copyOf(all));
        }
    }

    /**
     * The body for {@link TaggedLoad}: the first unit in two versions (its tags, joined: not three), or the first
     * unit's tags, with {@code crossed} when units ran in different versions.
     */
    private String body(String path, List<String> units) {
        String first = null;
        boolean differ = false;
        for (String u : units) {
            String[] tags = u.split("-");
            for (String t : tags) {
                if (!t.equals(tags[0])) {
                    return u + " unit " + units.indexOf(u) + " of " + path + " in two versions: " + units;
                }
            }
            if (tags.length < 3) {
                return u + " unit " + units.indexOf(u) + " of " + path + " has " + tags.length + " tag(s): " + units;
            }
            if (first == null) {
                first = tags[0];
            } else if (!first.equals(tags[0])) {
                differ = true;
            }
        }
        String head = first + "-" + first + "-" + first;
        if (!differ) {
            return head + " " + units.size() + " unit(s)";
        }
        crossed.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
        if (crossedSamples.size() < 5) {
            crossedSamples.add(path + " " + units);
        }
        return head + " crossed " + units;
    }

    /** Calls whose units ran in two versions (each unit in one), by path. */
    Map<String, Long> crossed() {
        Map<String, Long> out = new TreeMap<>();
        crossed.forEach((p, n) -> out.put(p, n.get()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel[] chs : channels.values()) {
            for (ManagedChannel ch : chs) {
                ch.shutdownNow();
            }
            for (ManagedChannel ch : chs) {
                ch.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public String toString() {
        Map<String, Long> byPath = new TreeMap<>();
        calls.forEach((p, n) -> byPath.put(p, n.get()));
        return "calls by path " + byPath + ", calls whose units ran in two versions (each unit in one) " + crossed()
                + (crossedSamples.isEmpty() ? "" : " e.g. " + List.copyOf(crossedSamples));
    }
}

package dev.atlas.it.servers;

import dev.atlas.testsupport.TaggedLoad;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests to the servers of one process by name ({@link ServerProcess#namedPorts}): a path
 * {@code name/rest} is an HTTP GET of {@code /rest} on the port called {@code name}; a path
 * {@code name} alone is a unary gRPC call of {@code it.Tags/Tag} on that port (plaintext HTTP/2,
 * one channel per port shared by the client threads, a 30 s deadline). The response body gets
 * {@code " @name"} appended, so that a mixed or failed request names its server.
 *
 * <p>Threading: {@link #send} from any number of threads.
 */
final class ServerExchange implements TaggedLoad.Exchange {
    /** The suite's gRPC method: UTF-8 strings in and out (as {@code it.grpc.TagService} serves it). */
    static final MethodDescriptor<String, String> TAG = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("it.Tags/Tag")
            .setRequestMarshaller(Utf8.INSTANCE).setResponseMarshaller(Utf8.INSTANCE).build();

    private final Map<String, Integer> ports;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> answered = new ConcurrentHashMap<>();

    ServerExchange(Map<String, Integer> ports) {
        this.ports = Map.copyOf(ports);
    }

    static final ServerCase.Loads LOADS = process -> new ServerExchange(process.namedPorts());

    @Override
    public String send(String path) throws Exception {
        int slash = path.indexOf('/');
        String name = slash < 0 ? path : path.substring(0, slash);
        Integer port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("path '" + path + "': no server called '" + name + "' in " + ports);
        }
        String body;
        if (slash < 0) {
            ManagedChannel ch = channels.computeIfAbsent(port,
                    p -> NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build());
            body = ClientCalls.blockingUnaryCall(ch, TAG, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "tag");
        } else {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path.substring(slash))).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + " " + r.body().lines().limit(3).toList());
            }
            body = r.body();
        }
        answered.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
        return body + " @" + name;
    }

    @Override
    public void close() throws InterruptedException {
        http.close();
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow();
            ch.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        Map<String, Long> byPath = new TreeMap<>();
        answered.forEach((path, n) -> byPath.put(path, n.get()));
        return "answered by path " + byPath;
    }

    enum Utf8 implements MethodDescriptor.Marshaller<String> {
        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

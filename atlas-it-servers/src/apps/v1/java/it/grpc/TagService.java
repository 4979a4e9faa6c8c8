package it.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/** The service {@code it.Tags} with the unary method {@code Tag} (UTF-8 strings in and out, no protobuf). */
final class TagService {
    static final MethodDescriptor<String, String> TAG = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("it.Tags/Tag")
            .setRequestMarshaller(Utf8.INSTANCE).setResponseMarshaller(Utf8.INSTANCE).build();

    private TagService() {}

    static ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder("it.Tags").addMethod(TAG, ServerCalls.asyncUnaryCall(new TagMethod()))
                .build();
    }

    /** The handler: runs once per call, when the client half-closes (in the call's executor). */
    static final class TagMethod implements ServerCalls.UnaryMethod<String, String> {
        @Override
        public void invoke(String request, StreamObserver<String> responses) {
            String first = Version.tag();
            try {
                Thread.sleep(10);   // the request's work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            responses.onNext(first + "-" + Work.tag() + "-" + Version.tag());
            responses.onCompleted();
        }
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

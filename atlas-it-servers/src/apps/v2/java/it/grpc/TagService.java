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

/**
 * The service {@code it.Tags} (UTF-8 strings in and out, no protobuf): the unary method {@code Tag}, and one
 * method of each streaming kind, whose every <em>unit</em> writes three version tags ({@code v1-v1-v1}) at its
 * start, middle and end:
 * <ul>
 * <li>{@code TagStream} (server streaming): one request, {@link #MESSAGES} responses, all sent by the handler in
 *     the call's {@code halfClosed} callback, so the whole call is one unit;</li>
 * <li>{@code TagUpload} (client streaming): each request message is a unit (its {@code onNext}), and the
 *     response, sent in {@code onCompleted}, lists them and ends with a unit of its own;</li>
 * <li>{@code TagChat} (bidirectional): each request message is a unit and is answered at once with its tags.</li>
 * </ul>
 */
final class TagService {
    static final MethodDescriptor<String, String> TAG = method(MethodDescriptor.MethodType.UNARY, "Tag");
    static final MethodDescriptor<String, String> TAG_STREAM = method(MethodDescriptor.MethodType.SERVER_STREAMING,
            "TagStream");
    static final MethodDescriptor<String, String> TAG_UPLOAD = method(MethodDescriptor.MethodType.CLIENT_STREAMING,
            "TagUpload");
    static final MethodDescriptor<String, String> TAG_CHAT = method(MethodDescriptor.MethodType.BIDI_STREAMING,
            "TagChat");
    /** Responses of one {@code TagStream} call. */
    static final int MESSAGES = 3;
    /** A streaming unit's work, ms (a call of three units about as long as a unary call). */
    private static final int UNIT_MS = 3;

    private TagService() {}

    private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("it.Tags/" + name)
                .setRequestMarshaller(Utf8.INSTANCE).setResponseMarshaller(Utf8.INSTANCE).build();
    }

    static ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder("it.Tags").addMethod(TAG, ServerCalls.asyncUnaryCall(new TagMethod()))
                .addMethod(TAG_STREAM, ServerCalls.asyncServerStreamingCall(new TagStreamMethod()))
                .addMethod(TAG_UPLOAD, ServerCalls.asyncClientStreamingCall(new TagUploadMethod()))
                .addMethod(TAG_CHAT, ServerCalls.asyncBidiStreamingCall(new TagChatMethod()))
                .build();
    }

    /** One unit: the tag at its start, {@code ms} of work, the tags in the middle and at the end. */
    static String unit(int ms) {
        String first = Version.tag();
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return first + "-" + Work.tag() + "-" + Version.tag();
    }

    /** All responses from the handler, which runs in the call's {@code halfClosed} callback. */
    static final class TagStreamMethod implements ServerCalls.ServerStreamingMethod<String, String> {
        @Override
        public void invoke(String request, StreamObserver<String> responses) {
            for (int i = 0; i < MESSAGES; i++) {
                responses.onNext(unit(UNIT_MS));
            }
            responses.onCompleted();
        }
    }

    /** A unit per request message; the response lists them, then the unit of {@code onCompleted}. */
    static final class TagUploadMethod implements ServerCalls.ClientStreamingMethod<String, String> {
        @Override
        public StreamObserver<String> invoke(StreamObserver<String> responses) {
            return new Upload(responses);
        }
    }

    /** The request observer of one {@code TagUpload} call (its callbacks run one at a time). */
    static final class Upload implements StreamObserver<String> {
        private final StreamObserver<String> responses;
        private final StringBuilder units = new StringBuilder();

        Upload(StreamObserver<String> responses) {
            this.responses = responses;
        }

        @Override
        public void onNext(String message) {
            units.append(unit(UNIT_MS)).append(',');
        }

        @Override
        public void onError(Throwable t) {
            // the client cancelled: nothing to answer
        }

        @Override
        public void onCompleted() {
            responses.onNext(units.append(unit(0)).toString());
            responses.onCompleted();
        }
    }

    /** Each request message answered at once with its unit. */
    static final class TagChatMethod implements ServerCalls.BidiStreamingMethod<String, String> {
        @Override
        public StreamObserver<String> invoke(StreamObserver<String> responses) {
            return new Chat(responses);
        }
    }

    /** The request observer of one {@code TagChat} call. */
    static final class Chat implements StreamObserver<String> {
        private final StreamObserver<String> responses;

        Chat(StreamObserver<String> responses) {
            this.responses = responses;
        }

        @Override
        public void onNext(String message) {
            responses.onNext(unit(UNIT_MS));
        }

        @Override
        public void onError(Throwable t) {
            // the client cancelled: nothing to answer
        }

        @Override
        public void onCompleted() {
            responses.onCompleted();
        }
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

package dev.atlas.demo.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketSenderTest {
    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsStatusTagAndSkipsTheBodyLeavingTheNextResponse() throws IOException {
        InputStream in = bytes("HTTP/1.1 201 Created\r\nx-atlas-version: v1.v2.v2\r\nContent-length: 5\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        SocketSender.Parsed first = SocketSender.readResponse(in);
        assertEquals(new Response(201, "v1.v2.v2"), first.response());
        assertTrue(first.response().ok());
        assertFalse(first.close());
        SocketSender.Parsed second = SocketSender.readResponse(in);
        assertEquals(404, second.response().status());
        assertNull(second.response().versionTag());
        assertFalse(second.response().ok());
    }

    @Test
    void chunkedBodiesAndConnectionClose() throws IOException {
        InputStream in = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        SocketSender.Parsed p = SocketSender.readResponse(in);
        assertEquals(200, p.response().status());
        assertTrue(p.close());
        assertEquals(-1, in.read());
    }

    @Test
    void truncatedOrForeignResponsesFail() {
        assertThrows(EOFException.class, () -> SocketSender.readResponse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")));
        assertThrows(IOException.class, () -> SocketSender.readResponse(bytes("SSH-2.0-OpenSSH\r\n")));
    }

    @Test
    void requestMixIsDeterministicAndHasOrders() {
        RequestMix mix = new RequestMix(200, 20);
        long orders = java.util.stream.LongStream.range(0, 100).filter(mix::isOrder).count();
        assertEquals(20, orders);
        String r = new String(mix.request(3, "h:1"), StandardCharsets.US_ASCII);
        assertEquals(r, new String(mix.request(3, "h:1"), StandardCharsets.US_ASCII));
        assertTrue(r.startsWith("GET /quote?sku=P") || r.startsWith("POST /orders"), r);
        assertThrows(IllegalArgumentException.class, () -> new RequestMix(0, 20));
        assertThrows(IllegalArgumentException.class, () -> new RequestMix(10, 101));
    }
}

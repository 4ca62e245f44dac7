package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.Limits;

/**
 * The client's input side of one session: socket bytes, inflated when COMPRESS is on (RFC 4978), traced, then fed
 * to the command decoder; and its flow control. While a command runs the decoder and the socket are paused, so
 * pipelined commands wait in the kernel's socket buffer, never in memory. Pauses nest (a literal stream inside a
 * command); input resumes when the last one ends.
 */
final class ClientWire {
    private final NetSocket socket;
    private final SessionWatch watch;
    private final ProxyMetrics metrics;
    private final Limits limits;
    private final ClientInput input;
    private final ClientCompression compression;
    private final BooleanSupplier closed;
    private final Consumer<String> bye;
    private ImapDecoder decoder;
    /** Bytes read from the client since the connection opened (written ones: {@link ClientOutput}). */
    private long bytesIn;

    private int pauses;

    ClientWire(
            NetSocket socket,
            SessionWatch watch,
            ProxyMetrics metrics,
            Limits limits,
            ClientInput input,
            int compressLevel,
            BooleanSupplier closed,
            Consumer<String> bye) {
        this.socket = socket;
        this.watch = watch;
        this.metrics = metrics;
        this.limits = limits;
        this.input = input;
        this.compression = new ClientCompression(compressLevel, metrics);
        this.closed = closed;
        this.bye = bye;
        this.decoder = new ImapDecoder(ImapDecoder.Side.COMMANDS, limits, input);
    }

    /** Starts reading the client. */
    void start() {
        socket.handler(buf -> {
            metrics.bytes("client_in", buf.length());
            bytesIn += buf.length();
            inflate(() -> compression.received(buf, this::wantsInput, this::toDecoder));
        });
    }

    ImapDecoder decoder() {
        return decoder;
    }

    /** After the STARTTLS handshake: a fresh decoder drops whatever was pipelined in plaintext (RFC 9051 6.2.1). */
    void restartDecoder() {
        decoder = new ImapDecoder(ImapDecoder.Side.COMMANDS, limits, input);
    }

    long bytesIn() {
        return bytesIn;
    }

    /** Bytes of a command still arriving (a small literal buffered in the decoder), or pipelined after one. */
    long pending() {
        return decoder.bytesBuffered();
    }

    /** True while input is held for a running command, or a command is still arriving. */
    boolean busy() {
        return pauses > 0 || decoder.bytesBuffered() > 0;
    }

    void pause() {
        if (pauses++ == 0) {
            decoder.pause();
            socket.pause();
        }
    }

    void resume() {
        if (pauses > 0 && --pauses == 0 && !closed.getAsBoolean()) {
            socket.resume();
            decoder.resume();
            // what is still compressed waits in the inflater, not in the decoder
            inflate(() -> compression.pump(this::wantsInput, this::toDecoder));
        }
    }

    boolean compressActive() {
        return compression.active();
    }

    /** RFC 4978 3: {@code ok} writes the tagged OK uncompressed; both directions are compressed after it. */
    Future<Void> compress(Runnable ok, ClientOutput output) {
        return compression.start(decoder.bytesBuffered(), ok, output);
    }

    /** zlib's native memory, now rather than at the next GC. */
    void end() {
        compression.end();
    }

    /** Plain client bytes: traced, then decoded. */
    private void toDecoder(Buffer plain) {
        watch.fromClient(plain);
        decoder.feed(plain); // activity (touch) is a complete line or literal data, never a trickle of bytes
    }

    private boolean wantsInput() {
        return !closed.getAsBoolean() && !decoder.isPaused();
    }

    private interface Inflating {
        void run() throws DataFormatException;
    }

    /** Bad DEFLATE from the client ends the session. */
    private void inflate(Inflating step) {
        try {
            step.run();
        } catch (DataFormatException e) {
            watch.log().info("client sent invalid DEFLATE data: {}", e.getMessage());
            bye.accept("Invalid compressed data");
        }
    }
}

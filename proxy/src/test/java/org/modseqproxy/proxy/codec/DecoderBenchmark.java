package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A rough, JMH-free throughput check of the response decoder (run it from the IDE or with
 * {@code java -cp ... org.modseqproxy.proxy.codec.DecoderBenchmark}). Not a test: numbers depend on the machine.
 *
 * <p>Case 1: a UID FETCH 1:* (FLAGS MODSEQ) listing, the sync traffic of the proxy. Case 2: FETCH lines
 * of about 100 tokens (ENVELOPE + BODYSTRUCTURE), what a client's header sync brings.
 */
public final class DecoderBenchmark {
    private DecoderBenchmark() {}

    public static void main(String[] args) {
        StringBuilder flags = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) {
            flags.append("* ")
                    .append(i)
                    .append(" FETCH (UID ")
                    .append(i * 3)
                    .append(" MODSEQ (")
                    .append(90060115194045001L + i)
                    .append(") FLAGS (\\Seen")
                    .append(i % 3 == 0 ? " \\Answered $Forwarded" : "")
                    .append("))\r\n");
        }
        String envelope =
                "* %d FETCH (UID %d RFC822.SIZE 4286 FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
                        + "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
                        + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                        + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
                        + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
                        + "\"<B27397-0100000@cac.washington.edu>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
                        + "\"7BIT\" 3028 92 NIL NIL NIL NIL) (\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 40000 NIL "
                        + "(\"attachment\" (\"FILENAME\" \"a.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"xyz\") NIL NIL NIL))\r\n";
        StringBuilder headers = new StringBuilder();
        for (int i = 1; i <= 5_000; i++) {
            headers.append(String.format(envelope, i, i * 3));
        }
        run("UID FETCH (FLAGS MODSEQ) listing", flags.toString(), 20_000);
        run("FETCH ENVELOPE+BODYSTRUCTURE", headers.toString(), 5_000);
    }

    private static void run(String name, String text, int lines) {
        byte[] wire = text.getBytes(StandardCharsets.UTF_8);
        Buffer[] buffers = new Buffer[(wire.length + 65535) / 65536];
        for (int i = 0; i < buffers.length; i++) {
            int from = i * 65536;
            buffers[i] = Buffer.buffer().appendBytes(wire, from, Math.min(65536, wire.length - from));
        }
        long[] tokens = new long[1];
        Sink sink = new IgnoringSink() {
            @Override
            public void frame(Frame frame) {
                tokens[0] += frame.tokens().size();
            }
        };
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 30; round++) {
            ImapDecoder decoder = new ImapDecoder(ImapDecoder.Side.RESPONSES, Limits.responseDefaults(), sink);
            long t0 = System.nanoTime();
            for (Buffer b : buffers) {
                decoder.feed(b);
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf(
                "%-36s %7d lines %9d bytes  best %7.2f ms  %6.0f ns/line  %6.1f MB/s  (checksum %d)%n",
                name, lines, wire.length, best / 1e6, best / lines, wire.length / (best / 1e9) / 1e6, tokens[0]);
    }
}

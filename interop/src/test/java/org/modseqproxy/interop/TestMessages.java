package org.modseqproxy.interop;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** Small RFC 5322 messages with CRLF line ends and unique Message-IDs. */
final class TestMessages {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestMessages() {}

    static byte[] message(String subject) {
        return message(subject, "Hello from the interop suite.");
    }

    static byte[] message(String subject, String body) {
        String text = "From: Alice <alice@example.org>\r\n"
                + "To: Bob <bob@example.org>\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <" + COUNTER.incrementAndGet() + "." + System.nanoTime() + "@interop.test>\r\n"
                + "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                + "\r\n"
                + body + "\r\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

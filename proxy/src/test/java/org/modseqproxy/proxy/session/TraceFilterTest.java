package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the trace writes, and what it never writes (RFC 9051 6.2.2, 6.2.3 credentials; large literals). */
class TraceFilterTest {
    final TraceFilter f = new TraceFilter(10, () -> "T");

    private String c(String s) {
        return f.fromClient(s.getBytes(StandardCharsets.UTF_8));
    }

    private String s(String s) {
        return f.toClient(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loginArgumentsAreMaskedEvenInLiterals() {
        assertThat(c("a LOGIN alice secret\r\n")).isEqualTo("T C: a LOGIN ***\n");
        assertThat(c("b LOGIN {5}\r\n")).isEqualTo("T C: b LOGIN ***\nT C: [5 octets masked]\n");
        assertThat(c("alice {6+}\r\nsecret\r\n")).isEqualTo("T C: ***\nT C: [6 octets masked]\nT C: ***\n");
        assertThat(c("c NOOP\r\n")).isEqualTo("T C: c NOOP\n");
    }

    @Test
    void authenticateResponsesAreMaskedUntilTheTaggedAnswer() {
        assertThat(c("a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n")).isEqualTo("T C: a AUTHENTICATE PLAIN ***\n");
        assertThat(c("x AUTHENTICATE PLAIN\r\n")).isEqualTo("T C: ***\n"); // still inside a's exchange
        assertThat(s("a OK done\r\n")).isEqualTo("T S: a OK done\n");
        assertThat(c("b AUTHENTICATE PLAIN\r\n")).isEqualTo("T C: b AUTHENTICATE PLAIN\n");
        assertThat(s("+ \r\n")).isEqualTo("T S: + \n");
        assertThat(c("AGFsaWNlAHNlY3JldA==\r\n")).isEqualTo("T C: ***\n");
        assertThat(s("b OK\r\n")).isEqualTo("T S: b OK\n");
        assertThat(c("c NOOP\r\n")).isEqualTo("T C: c NOOP\n");
    }

    @Test
    void smallLiteralsAreShownLargeOnesOnlyBySizeEvenAcrossReads() {
        assertThat(s("* 1 FETCH (BODY[] {4}\r\nabcd)\r\n")).isEqualTo("T S: * 1 FETCH (BODY[] {4}\nabcd\nT S: )\n");
        assertThat(s("* 2 FETCH (BODY[] {20}\r\n0123456789"))
                .isEqualTo("T S: * 2 FETCH (BODY[] {20}\nT S: [20 octets not traced]\n");
        assertThat(s("0123456789 UID 7)\r\n")).isEqualTo("T S:  UID 7)\n");
        assertThat(c("a APPEND INBOX ~{12}\r\n")).isEqualTo("T C: a APPEND INBOX ~{12}\nT C: [12 octets not traced]\n");
    }

    @Test
    void aLineIsCutAtTheLimitAndSplitReadsJoin() {
        assertThat(c("a SEL")).isEmpty();
        assertThat(c("ECT INBOX\r\n")).isEqualTo("T C: a SELECT INBOX\n");
        String huge = "b NOOP " + "x".repeat(TraceFilter.MAX_LINE * 2) + "\r\n";
        String out = c(huge);
        assertThat(out).endsWith(" [line cut at " + TraceFilter.MAX_LINE + " octets]\n");
        assertThat(out.length()).isLessThan(TraceFilter.MAX_LINE + 100);
    }
}

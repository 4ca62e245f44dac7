package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoders against golden bytes, and decode -> encode round trips. */
class ImapEncoderTest {

    @ParameterizedTest(name = "astring({0}) = {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "INBOX|INBOX",
                "foo]bar|foo]bar",
                "Sent.2024|Sent.2024",
                "''|'\"\"'",
                "NIL|'\"NIL\"'",
                "nil|'\"nil\"'",
                "my box|'\"my box\"'",
                "a\"b|'\"a\\\"b\"'",
                "50%|'\"50%\"'",
                "a*|'\"a*\"'",
                "(x)|'\"(x)\"'",
                "{3}|'\"{3}\"'",
                "back\\slash|'\"back\\\\slash\"'",
                "Entwürfe|'\"Entwürfe\"'"
            })
    void astring(String in, String expected) {
        assertThat(ImapEncoder.astring(in)).isEqualTo(expected);
    }

    @Test
    void stringsThatCannotBeQuotedBecomeLiterals() {
        assertThat(ImapEncoder.astring("line\r\nbreak")).isEqualTo("{11}\r\nline\r\nbreak");
        assertThat(ImapEncoder.astring("ü\n")).isEqualTo("{3}\r\nü\n"); // length in UTF-8 bytes
        assertThat(ImapEncoder.nstring("a\0b")).isEqualTo("{3}\r\na\0b");
        assertThatThrownBy(() -> ImapEncoder.quoted("a\rb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nstring() {
        assertThat(ImapEncoder.nstring(null)).isEqualTo("NIL");
        assertThat(ImapEncoder.nstring("NIL")).isEqualTo("\"NIL\"");
        assertThat(ImapEncoder.nstring("x")).isEqualTo("\"x\"");
    }

    @Test
    void sequenceSets() {
        assertThat(ImapEncoder.sequenceSet(41, 43, 44, 45, 116)).isEqualTo("41,43:45,116");
        assertThat(ImapEncoder.sequenceSet(7)).isEqualTo("7");
        assertThat(ImapEncoder.sequenceSet(1, 2, 3)).isEqualTo("1:3");
        assertThat(ImapEncoder.sequenceSet(5, 5, 6, 9, 9)).isEqualTo("5:6,9");
        assertThat(ImapEncoder.sequenceSet(4294967294L, 4294967295L)).isEqualTo("4294967294:4294967295");
        assertThatThrownBy(() -> ImapEncoder.sequenceSet(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImapEncoder.sequenceSet()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lines() {
        assertThat(text(ImapEncoder.status("d105", "OK", "MODIFIED 7,9", "Conditional STORE failed")))
                .isEqualTo("d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n");
        assertThat(text(ImapEncoder.status("*", "OK", "HIGHESTMODSEQ 715194045007", "")))
                .isEqualTo("* OK [HIGHESTMODSEQ 715194045007]\r\n");
        assertThat(text(ImapEncoder.status("a", "NO", null, "Mailbox doesn't exist")))
                .isEqualTo("a NO Mailbox doesn't exist\r\n");
        assertThat(text(ImapEncoder.continuation(""))).isEqualTo("+\r\n");
        assertThat(text(ImapEncoder.continuation("idling"))).isEqualTo("+ idling\r\n");
        assertThat(text(ImapEncoder.line("a1", "OK done"))).isEqualTo("a1 OK done\r\n");
        assertThat(text(ImapEncoder.line("* ENABLED CONDSTORE"))).isEqualTo("* ENABLED CONDSTORE\r\n");
        assertThat(ImapEncoder.list(List.of("\\Seen", "\\Deleted"))).isEqualTo("(\\Seen \\Deleted)");
    }

    /** What the decoder reads, the encoder writes back byte for byte (for lines in canonical form). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM)] {5}\r\nhello)",
                "* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996\" \"say \\\"hi\\\"\" NIL ((NIL NIL \"imap\" \"x.edu\"))))",
                "* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236",
                "* LIST (\\Noselect) \"/\" ~/Mail/foo",
                "* 3 FETCH (BINARY[] ~{3}\r\na\0b)",
                "* 4 FETCH (BODY[] {3}\r\na\0b)"
            })
    void decodedTokensEncodeToTheSameBytes(String line) {
        List<Frame> frames = Frames.decode(ImapDecoder.Side.RESPONSES, line + "\r\n");
        assertThat(frames).hasSize(1);
        assertThat(text(ImapEncoder.tokens(frames.get(0).tokens()))).isEqualTo(line.substring(2));
    }

    @Test
    void decodeAllRejectsErrorsAndIncompleteInput() {
        assertThat(Frames.decode(ImapDecoder.Side.COMMANDS, "a LOGIN {3}\r\nabc x\r\nb NOOP\r\n"))
                .extracting(Frame::keyword)
                .containsExactly("LOGIN", "NOOP");
        assertThatThrownBy(() -> Frames.decode(ImapDecoder.Side.COMMANDS, "a FETCH 1 (FLAGS\r\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unbalanced parentheses: missing ')' (tag a)");
        assertThatThrownBy(() -> Frames.decode(ImapDecoder.Side.COMMANDS, "a NOOP"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.decode(ImapDecoder.Side.COMMANDS, "a LOGIN {3}\r\nab"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamedLiteralsCannotBeWritten() {
        assertThatThrownBy(() -> ImapEncoder.tokens(List.of(new Token.LargeLiteral(5))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenStringValues() {
        assertThat(new Token.Atom("NIL").stringValue()).isEqualTo("NIL");
        assertThat(new Token.Atom("nil").nstringValue()).isNull();
        assertThat(new Token.Quoted("NIL").nstringValue()).isEqualTo("NIL");
        assertThat(new Token.Literal(Buffer.buffer("Entwürfe", "UTF-8"), false).stringValue())
                .isEqualTo("Entwürfe");
        assertThat(new Token.LargeLiteral(9).stringValue()).isNull();
        assertThat(new Token.ListTok(List.of()).stringValue()).isNull();
        assertThat(new Token.Atom("Fetch").isAtom("FETCH")).isTrue();
        assertThat(new Token.Quoted("FETCH").isAtom("FETCH")).isFalse();
    }

    private static String text(Buffer b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}

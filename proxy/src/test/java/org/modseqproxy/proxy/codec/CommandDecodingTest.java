package org.modseqproxy.proxy.codec;

import static org.modseqproxy.proxy.codec.ImapDecoder.Side.COMMANDS;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client-to-server decoding: {wire bytes, expected events}, each row fed at every split point. */
class CommandDecodingTest {

    private static final Limits DEFAULTS = Limits.commandDefaults();
    /** Small enough to stream a 20-byte literal and to hit every limit with short input. */
    private static final Limits SMALL = new Limits(64, 100, 16, 24, 3, 12);

    private static final String MESSAGE_23 = "From: a@b\r\n\r\nHello Jo\r\n"; // 23 bytes
    private static final String DATA_20 = "01234567890123456789";

    static Stream<Arguments> rows() {
        return Stream.of(
                row(
                        "plain command",
                        DEFAULTS,
                        "a001 LOGIN fred secret\r\n",
                        "F COMPLETE tag=a001 kw=LOGIN tokens=[LOGIN fred secret]"),
                row(
                        "pipelined commands, lower-case name",
                        DEFAULTS,
                        "a1 noop\r\na2 CAPABILITY\r\n",
                        "F COMPLETE tag=a1 kw=NOOP tokens=[noop]",
                        "F COMPLETE tag=a2 kw=CAPABILITY tokens=[CAPABILITY]"),
                row(
                        "quoted strings with escapes",
                        DEFAULTS,
                        "a LOGIN \"fr\\\"ed\" \"p a\\\\ss\"\r\n",
                        "F COMPLETE tag=a kw=LOGIN tokens=[LOGIN \"fr\\\"ed\" \"p a\\ss\"]"),
                // RFC 9051 7.5 / 4.3: synchronizing literals, the server answers "+" before the data
                row(
                        "sync literals ask for continuation",
                        DEFAULTS,
                        "A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
                        "C A001 11",
                        "C A001 7",
                        "F COMPLETE tag=A001 kw=LOGIN tokens=[LOGIN {11}FRED FOOBAR {7}fat man]"),
                // RFC 7888 3, the example verbatim
                row(
                        "LITERAL+ example of RFC 7888",
                        DEFAULTS,
                        "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
                        "F COMPLETE tag=A001 kw=LOGIN tokens=[LOGIN {11+}FRED FOOBAR {7+}fat man]"),
                row(
                        "zero-length literal",
                        DEFAULTS,
                        "a LOGIN {0}\r\n {0+}\r\n\r\n",
                        "C a 0",
                        "F COMPLETE tag=a kw=LOGIN tokens=[LOGIN {0} {0+}]"),
                // RFC 9051 6.3.12: APPEND mailbox [flag-list] [date-time] literal
                row(
                        "APPEND with flags, date and inline literal",
                        DEFAULTS,
                        "A003 APPEND saved-messages (\\Seen) \"05-jan-1999 20:55:23 +0000\" {23}\r\n" + MESSAGE_23
                                + "\r\n",
                        "C A003 23",
                        "F COMPLETE tag=A003 kw=APPEND tokens=[APPEND saved-messages (\\Seen) \"05-jan-1999 20:55:23 +0000\" "
                                + "{23}From: a@b\\r\\n\\r\\nHello Jo\\r\\n]"),
                row(
                        "APPEND with a streamed sync literal",
                        SMALL,
                        "A004 APPEND INBOX {20}\r\n" + DATA_20 + "\r\n",
                        "S HEAD tag=A004 kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 sync",
                        "D " + DATA_20,
                        "E",
                        "F CONTINUED tag=A004 kw=APPEND tokens=[APPEND INBOX {{20}}]"),
                // RFC 3502 MULTIAPPEND with LITERAL+: two streamed literals in one command line
                row(
                        "MULTIAPPEND with two streamed non-sync literals",
                        SMALL,
                        "A005 APPEND INBOX {20+}\r\n" + DATA_20 + " (\\Seen) {17+}\r\nabcdefghijklmnopq\r\n",
                        "S HEAD tag=A005 kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 nonsync",
                        "D " + DATA_20,
                        "E",
                        "S CONTINUED_HEAD tag=A005 kw=APPEND tokens=[APPEND INBOX {{20}} (\\Seen) {{17}}] size=17 nonsync",
                        "D abcdefghijklmnopq",
                        "E",
                        "F CONTINUED tag=A005 kw=APPEND tokens=[APPEND INBOX {{20}} (\\Seen) {{17}}]"),
                // RFC 4469 CATENATE: the streamed literal sits inside a list that closes after it
                row(
                        "streamed literal inside a list",
                        SMALL,
                        "A006 APPEND INBOX CATENATE (URL \"/I;UID=1\" TEXT {20+}\r\n" + DATA_20 + ")\r\n",
                        "S HEAD tag=A006 kw=APPEND tokens=[APPEND INBOX CATENATE (URL \"/I;UID=1\" TEXT {{20}})] size=20 nonsync",
                        "D " + DATA_20,
                        "E",
                        "F CONTINUED tag=A006 kw=APPEND tokens=[APPEND INBOX CATENATE (URL \"/I;UID=1\" TEXT {{20}})]"),
                row(
                        "inline literals beyond maxFrameBytes are streamed",
                        SMALL,
                        "a LOGIN {16+}\r\n0123456789abcdef {9+}\r\n123456789\r\n",
                        "S HEAD tag=a kw=LOGIN tokens=[LOGIN {16+}0123456789abcdef {{9}}] size=9 nonsync",
                        "D 123456789",
                        "E",
                        "F CONTINUED tag=a kw=LOGIN tokens=[LOGIN {16+}0123456789abcdef {{9}}]"),
                // RFC 3516 literal8 (binary, may hold NUL), sync: a continuation request like any literal
                row(
                        "APPEND with literal8",
                        DEFAULTS,
                        "a APPEND INBOX ~{5}\r\nhe\0lo\r\n",
                        "C a 5",
                        "F COMPLETE tag=a kw=APPEND tokens=[APPEND INBOX ~{5}he\\0lo]"),
                // RFC 7162 3.2.5 (QRESYNC parameter of SELECT), RFC 4466 select-params
                row(
                        "SELECT with QRESYNC",
                        DEFAULTS,
                        "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
                        "F COMPLETE tag=A02 kw=SELECT tokens=[SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))]"),
                // RFC 7162 3.1.4.1 CHANGEDSINCE, 3.2.6 VANISHED fetch modifier
                row(
                        "UID FETCH with CHANGEDSINCE and VANISHED",
                        DEFAULTS,
                        "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
                        "F COMPLETE tag=s100 kw=UID FETCH tokens=[UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)]"),
                // RFC 7162 3.1.3: store-modifier precedes the store-att-flags (RFC 4466 2.5)
                row(
                        "STORE with UNCHANGEDSINCE",
                        DEFAULTS,
                        "d105 STORE 1:3 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
                        "F COMPLETE tag=d105 kw=STORE tokens=[STORE 1:3 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)]"),
                row(
                        "SEARCH with MODSEQ",
                        DEFAULTS,
                        "a SEARCH OR NOT MODSEQ 720162338 LARGER 50000\r\n",
                        "F COMPLETE tag=a kw=SEARCH tokens=[SEARCH OR NOT MODSEQ 720162338 LARGER 50000]"),
                row(
                        "FETCH with section atoms",
                        DEFAULTS,
                        "a5 UID FETCH 4 (BODY.PEEK[HEADER.FIELDS (FROM \"TO\")]<0.100> BINARY[1.2] BODY[])\r\n",
                        "F COMPLETE tag=a5 kw=UID FETCH tokens=[UID FETCH 4 (BODY.PEEK[HEADER.FIELDS (FROM \"TO\")]<0.100> "
                                + "BINARY[1.2] BODY[])]"),
                row(
                        "LIST with wildcards and a bracket in a name",
                        DEFAULTS,
                        "a LIST \"\" %/*\r\nb SELECT foo[bar\r\n",
                        "F COMPLETE tag=a kw=LIST tokens=[LIST \"\" %/*]",
                        "F COMPLETE tag=b kw=SELECT tokens=[SELECT foo[bar]"),
                row(
                        "8-bit atom is accepted as UTF-8",
                        DEFAULTS,
                        "a SELECT Entwürfe\r\n",
                        "F COMPLETE tag=a kw=SELECT tokens=[SELECT Entwürfe]"),
                row(
                        "LF without CR ends a line",
                        DEFAULTS,
                        "a NOOP\nb NOOP\n",
                        "F COMPLETE tag=a kw=NOOP tokens=[NOOP]",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                // RFC 2971 example, plus a nested list and NIL
                row(
                        "ID command",
                        DEFAULTS,
                        "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n"
                                + "a024 ID NIL\r\na025 X-ID ((\"a\" (\"b\" NIL)) ())\r\n",
                        "F COMPLETE tag=a023 kw=ID tokens=[ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" "
                                + "\"Pink Floyd Music Limited\")]",
                        "F COMPLETE tag=a024 kw=ID tokens=[ID NIL]",
                        "F COMPLETE tag=a025 kw=X-ID tokens=[X-ID ((\"a\" (\"b\" NIL)) ())]"),
                // RFC 4959 SASL-IR: the initial response rides on the command line
                row(
                        "AUTHENTICATE with SASL-IR",
                        DEFAULTS,
                        "a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n",
                        "F COMPLETE tag=a kw=AUTHENTICATE tokens=[AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0]"),
                // RFC 9051 6.2.2: without SASL-IR the response comes as a raw line after "+"
                row(
                        "AUTHENTICATE then a raw client response",
                        DEFAULTS,
                        SplitRunner.rawAfter("AUTHENTICATE"),
                        "a AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\nb NOOP\r\n",
                        "F COMPLETE tag=a kw=AUTHENTICATE tokens=[AUTHENTICATE PLAIN]",
                        "R AGZyZWQAc2VjcmV0",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                // RFC 2177: DONE is not a command
                row(
                        "IDLE then DONE as a raw line",
                        DEFAULTS,
                        SplitRunner.rawAfter("IDLE"),
                        "a IDLE\r\nDONE\r\nb NOOP\r\n",
                        "F COMPLETE tag=a kw=IDLE tokens=[IDLE]",
                        "R DONE",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "AUTHENTICATE with an empty client response",
                        DEFAULTS,
                        SplitRunner.rawAfter("AUTHENTICATE"),
                        "a AUTHENTICATE EXTERNAL\r\n\r\nb NOOP\r\n",
                        "F COMPLETE tag=a kw=AUTHENTICATE tokens=[AUTHENTICATE EXTERNAL]",
                        "R ",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "raw line too long",
                        SMALL,
                        SplitRunner.rawAfter("IDLE"),
                        "a IDLE\r\n" + "D".repeat(70) + " {5+}\r\nb NOOP\r\n",
                        "F COMPLETE tag=a kw=IDLE tokens=[IDLE]",
                        "X null Line too long (max 64)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),

                // ---- malformed input: non-fatal errors, decoding goes on at the next line
                row(
                        "empty line",
                        DEFAULTS,
                        "\r\nb NOOP\r\n",
                        "X null Empty command",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "missing tag",
                        DEFAULTS,
                        " NOOP\r\nb NOOP\r\n",
                        "X null Missing tag",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "invalid tags",
                        DEFAULTS,
                        "* NOOP\r\na+b NOOP\r\nb NOOP\r\n",
                        "X null Invalid tag",
                        "X null Invalid tag",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "missing command",
                        DEFAULTS,
                        "a\r\na2 \r\na3 (x)\r\nb NOOP\r\n",
                        "X a Missing command",
                        "X a2 Missing command",
                        "X a3 Invalid command name",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "unbalanced parentheses",
                        DEFAULTS,
                        "a FETCH 1 (FLAGS\r\nb FETCH 1 FLAGS)\r\nc NOOP\r\n",
                        "X a Unbalanced parentheses: missing ')'",
                        "X b Unexpected ')'",
                        "F COMPLETE tag=c kw=NOOP tokens=[NOOP]"),
                row(
                        "unterminated quoted string",
                        DEFAULTS,
                        "a LOGIN \"fred\r\nb NOOP\r\n",
                        "X a Unterminated quoted string",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "bad literal syntax",
                        DEFAULTS,
                        "a LOGIN {12x}\r\nb LOGIN {}\r\nc LOGIN {5} x\r\nd NOOP\r\n",
                        "X a Invalid literal syntax",
                        "X b Invalid literal syntax",
                        "X c Invalid literal syntax: the literal size must end the line",
                        "F COMPLETE tag=d kw=NOOP tokens=[NOOP]"),
                // RFC 7888 5: LITERAL- also writes "{n+}"; "{n-}" is no literal
                row(
                        "{n-} is not literal syntax",
                        DEFAULTS,
                        "a LOGIN {5-}\r\nb NOOP\r\n",
                        "X a Invalid literal syntax",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "NUL and control characters",
                        DEFAULTS,
                        "a LOGIN fr\0ed x\r\nb LOGIN \"a\0\"\r\nc LOGIN a\tb\r\nd NOOP\r\n",
                        "X a NUL character in line",
                        "X b NUL character in line",
                        "X c Unexpected control character 0x9",
                        "F COMPLETE tag=d kw=NOOP tokens=[NOOP]"),
                // RFC 9051 7.5: a sync literal that is refused gets a BAD instead of "+", the client gives up
                row(
                        "sync literal too large",
                        DEFAULTS,
                        "a APPEND INBOX {104857601}\r\nb NOOP\r\n",
                        "X a Literal too large (max 104857600)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                // RFC 7888 4 choice 1: the non-sync literal arrives anyway; it is counted away with its line
                row(
                        "non-sync literal too large is skipped with its line",
                        SMALL,
                        "a APPEND INBOX {101+}\r\n" + "x".repeat(101) + " more {3+}\r\nabc\r\nb NOOP\r\n",
                        "X a Literal too large (max 100)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                // RFC 7888 4 choice 2: beyond 4x the limit the connection is closed
                row(
                        "absurd non-sync literal is fatal",
                        SMALL,
                        "a APPEND INBOX {401+}\r\nb NOOP\r\n",
                        "X! a Literal too large (max 100)"),
                row(
                        "bad line that announced a non-sync literal",
                        DEFAULTS,
                        "a FETCH 1 FLAGS)) {5+}\r\nhello more\r\nb NOOP\r\n",
                        "X a Unexpected ')'",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "bad line that announced a sync literal",
                        DEFAULTS,
                        "a FETCH 1 FLAGS)) {5}\r\nb NOOP\r\n",
                        "X a Unexpected ')'",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "line too long",
                        SMALL,
                        "a LOGIN " + "x".repeat(70) + "\r\nb NOOP\r\n",
                        "X a Line too long (max 64)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "line of exactly maxLineLength",
                        SMALL,
                        "a LOGIN " + "x".repeat(56) + "\r\n",
                        "F COMPLETE tag=a kw=LOGIN tokens=[LOGIN " + "x".repeat(56) + "]"),
                row(
                        "line one byte too long, LF only",
                        SMALL,
                        "a LOGIN " + "x".repeat(57) + "\nb NOOP\n",
                        "X a Line too long (max 64)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "too long line ending in a non-sync literal",
                        SMALL,
                        "a LOGIN " + "x".repeat(70) + " {5+}\r\nhello\r\nb NOOP\r\n",
                        "X a Line too long (max 64)",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                row(
                        "literal data does not count as line length",
                        SMALL,
                        "a LOGIN {16+}\r\n" + "y".repeat(16) + " " + "z".repeat(40) + "\r\n",
                        "F COMPLETE tag=a kw=LOGIN tokens=[LOGIN {16+}" + "y".repeat(16) + " " + "z".repeat(40) + "]"),
                row(
                        "nesting too deep",
                        SMALL,
                        "a FETCH 1 ((((FLAGS))))\r\nb FETCH 1 (((FLAGS)))\r\n",
                        "X a Too deeply nested (max 3)",
                        "F COMPLETE tag=b kw=FETCH tokens=[FETCH 1 (((FLAGS)))]"),
                row(
                        "too many items",
                        SMALL,
                        "a FETCH 1 (A B C D E F G H I J)\r\nb FETCH 1 (A B C D E F G H I)\r\n",
                        "X a Too many items (max 12)",
                        "F COMPLETE tag=b kw=FETCH tokens=[FETCH 1 (A B C D E F G H I)]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decodesAtEverySplitPoint(
            String name, Limits limits, Consumer<EventRecorder> setup, String wire, List<String> expected) {
        SplitRunner.assertEvents(COMMANDS, limits, wire.getBytes(StandardCharsets.UTF_8), expected, setup);
    }

    private static Arguments row(String name, Limits limits, String wire, String... events) {
        return row(name, limits, r -> {}, wire, events);
    }

    private static Arguments row(
            String name, Limits limits, Consumer<EventRecorder> setup, String wire, String... events) {
        return Arguments.of(name, limits, setup, wire, List.of(events));
    }
}

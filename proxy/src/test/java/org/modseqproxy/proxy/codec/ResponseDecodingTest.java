package org.modseqproxy.proxy.codec;

import static org.modseqproxy.proxy.codec.ImapDecoder.Side.RESPONSES;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Server-to-client decoding: {wire bytes, expected events}, each row fed at every split point. */
class ResponseDecodingTest {

    private static final Limits DEFAULTS = Limits.responseDefaults();
    private static final Limits SMALL = new Limits(128, 1000, 16, 24, 8, 40);
    private static final String DATA_20 = "01234567890123456789";

    static Stream<Arguments> rows() {
        return Stream.of(
                row(
                        "greeting with CAPABILITY code",
                        DEFAULTS,
                        "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN] Dovecot ready.\r\n",
                        "F COMPLETE tag=* kw=OK tokens=[OK] code=CAPABILITY|IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN|"
                                + "[IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN] text=\"Dovecot ready.\""),
                row(
                        "PREAUTH and BYE",
                        DEFAULTS,
                        "* PREAUTH IMAP4rev1 server logged in as Smith\r\n* BYE Autologout; idle for too long\r\n",
                        "F COMPLETE tag=* kw=PREAUTH tokens=[PREAUTH] text=\"IMAP4rev1 server logged in as Smith\"",
                        "F COMPLETE tag=* kw=BYE tokens=[BYE] text=\"Autologout; idle for too long\""),
                // RFC 7162 3.1.2.1 / 3.1.2.2
                row(
                        "HIGHESTMODSEQ and NOMODSEQ",
                        DEFAULTS,
                        "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n"
                                + "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
                        "F COMPLETE tag=* kw=OK tokens=[OK] code=HIGHESTMODSEQ|715194045007|[715194045007] text=\"Highest\"",
                        "F COMPLETE tag=* kw=OK tokens=[OK] code=NOMODSEQ||[] "
                                + "text=\"Sorry, this mailbox format doesn't support modsequences\""),
                // RFC 7162 3.1.3, example 7
                row(
                        "MODIFIED response code",
                        DEFAULTS,
                        "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
                        "F COMPLETE tag=d105 kw=OK tokens=[OK] code=MODIFIED|7,9|[7,9] text=\"Conditional STORE failed\""),
                row(
                        "PERMANENTFLAGS, READ-WRITE, lower-case status",
                        DEFAULTS,
                        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\nA142 ok [READ-WRITE] SELECT completed\r\n",
                        "F COMPLETE tag=* kw=OK tokens=[OK] code=PERMANENTFLAGS|(\\Deleted \\Seen \\*)|[(\\Deleted \\Seen \\*)] "
                                + "text=\"Limited\"",
                        "F COMPLETE tag=A142 kw=OK tokens=[ok] code=READ-WRITE||[] text=\"SELECT completed\""),
                // free text is never tokenized: unbalanced quotes and a trailing "{5}" are plain text
                row(
                        "status text with quotes and braces",
                        DEFAULTS,
                        "a1 NO [TRYCREATE] can't \"find {5}\r\n* OK\r\n* NO [ALERT]\r\n* BAD [x\r\n",
                        "F COMPLETE tag=a1 kw=NO tokens=[NO] code=TRYCREATE||[] text=\"can't \"find {5}\"",
                        "F COMPLETE tag=* kw=OK tokens=[OK] text=\"\"",
                        "F COMPLETE tag=* kw=NO tokens=[NO] code=ALERT||[] text=\"\"",
                        "F COMPLETE tag=* kw=BAD tokens=[BAD] text=\"[x\""),
                row(
                        "BADCHARSET with a quoted bracket, best-effort args",
                        DEFAULTS,
                        "a NO [BADCHARSET (UTF-8 \"a]b\")] no\r\na NO [X-FOO a ) b] bad args\r\n",
                        "F COMPLETE tag=a kw=NO tokens=[NO] code=BADCHARSET|(UTF-8 \"a]b\")|[(UTF-8 \"a]b\")] text=\"no\"",
                        "F COMPLETE tag=a kw=NO tokens=[NO] code=X-FOO|a ) b|[a] text=\"bad args\""),
                row(
                        "continuation requests",
                        DEFAULTS,
                        "+ Ready for literal data\r\n+\r\n+ \r\n+ idling\r\n+ dGVzdA==\r\n",
                        "F COMPLETE tag=+ kw=null tokens=[] text=\"Ready for literal data\"",
                        "F COMPLETE tag=+ kw=null tokens=[] text=\"\"",
                        "F COMPLETE tag=+ kw=null tokens=[] text=\"\"",
                        "F COMPLETE tag=+ kw=null tokens=[] text=\"idling\"",
                        "F COMPLETE tag=+ kw=null tokens=[] text=\"dGVzdA==\""),
                row(
                        "untagged numeric responses",
                        DEFAULTS,
                        "* 23 EXISTS\r\n* 5 EXPUNGE\r\n* 0 RECENT\r\n",
                        "F COMPLETE tag=* kw=EXISTS n=23 tokens=[23 EXISTS]",
                        "F COMPLETE tag=* kw=EXPUNGE n=5 tokens=[5 EXPUNGE]",
                        "F COMPLETE tag=* kw=RECENT n=0 tokens=[0 RECENT]"),
                // RFC 7162 3.1.4.1 / 3.2.10 / 3.1.5 (ESEARCH with MODSEQ, RFC 4731)
                row(
                        "CONDSTORE and QRESYNC data",
                        DEFAULTS,
                        "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n* VANISHED (EARLIER) 41,43:116\r\n"
                                + "* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n* ENABLED CONDSTORE QRESYNC\r\n",
                        "F COMPLETE tag=* kw=FETCH n=1 tokens=[1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))]",
                        "F COMPLETE tag=* kw=VANISHED tokens=[VANISHED (EARLIER) 41,43:116]",
                        "F COMPLETE tag=* kw=ESEARCH tokens=[ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236]",
                        "F COMPLETE tag=* kw=ENABLED tokens=[ENABLED CONDSTORE QRESYNC]"),
                // RFC 9051 7.3.1 / 7.3.4 / 7.1 examples
                row(
                        "LIST, STATUS, CAPABILITY, NAMESPACE",
                        DEFAULTS,
                        "* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"
                                + "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
                                + "* LIST () \".\" {8}\r\nfoo\"]bar\r\n",
                        "F COMPLETE tag=* kw=LIST tokens=[LIST (\\Noselect) \"/\" ~/Mail/foo]",
                        "F COMPLETE tag=* kw=STATUS tokens=[STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)]",
                        "F COMPLETE tag=* kw=CAPABILITY tokens=[CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED]",
                        "F COMPLETE tag=* kw=NAMESPACE tokens=[NAMESPACE ((\"\" \"/\")) NIL NIL]",
                        "F COMPLETE tag=* kw=LIST tokens=[LIST () \".\" {8}foo\"]bar]"),
                // RFC 3501 7.4.2 example (ENVELOPE with NIL, nested lists), plus escaped quotes
                row(
                        "FETCH with ENVELOPE and BODY",
                        DEFAULTS,
                        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
                                + "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg \\\"summary\\\"\" "
                                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL "
                                + "((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
                                + "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
                        "F COMPLETE tag=* kw=FETCH n=12 tokens=[12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
                                + "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
                                + "\"IMAP4rev1 WG mtg \\\"summary\\\"\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL "
                                + "((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
                                + "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))]"),
                row(
                        "FETCH with inline literals and sections",
                        DEFAULTS,
                        "* 2 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] {13}\r\nFrom: a@b\r\n\r\n BODY[]<0> \"Hi\")\r\n"
                                + "* 3 FETCH (BINARY[] ~{3}\r\na\0b)\r\n",
                        "F COMPLETE tag=* kw=FETCH n=2 tokens=[2 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] {13}From: a@b\\r\\n\\r\\n "
                                + "BODY[]<0> \"Hi\")]",
                        "F COMPLETE tag=* kw=FETCH n=3 tokens=[3 FETCH (BINARY[] ~{3}a\\0b)]"),
                row(
                        "FETCH with a streamed BODY[] literal",
                        SMALL,
                        "* 3 FETCH (UID 9 BODY[] {20}\r\n" + DATA_20 + " FLAGS (\\Seen))\r\n* 4 EXISTS\r\n",
                        "S HEAD tag=* kw=FETCH n=3 tokens=[3 FETCH (UID 9 BODY[] {{20}})] size=20 sync",
                        "D " + DATA_20,
                        "E",
                        "F CONTINUED tag=* kw=FETCH n=3 tokens=[3 FETCH (UID 9 BODY[] {{20}} FLAGS (\\Seen))]",
                        "F COMPLETE tag=* kw=EXISTS n=4 tokens=[4 EXISTS]"),
                row(
                        "ID response",
                        DEFAULTS,
                        "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
                        "F COMPLETE tag=* kw=ID tokens=[ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"support-url\" "
                                + "\"mailto:cyrus-bugs+@andrew.cmu.edu\")]"),
                row(
                        "tagged non-status response is tokenized",
                        DEFAULTS,
                        "a1 OKAY x\r\n",
                        "F COMPLETE tag=a1 kw=OKAY tokens=[OKAY x]"),

                // ---- malformed server output
                row(
                        "bad line with a literal: literal and rest of line skipped",
                        DEFAULTS,
                        "* 1 FETCH (UID 1)) BODY[] {5}\r\nhello)\r\n* 2 EXISTS\r\n",
                        "X * Unexpected ')'",
                        "F COMPLETE tag=* kw=EXISTS n=2 tokens=[2 EXISTS]"),
                row(
                        "empty lines and empty responses",
                        DEFAULTS,
                        "\r\n* \r\n*\r\n* 2 EXISTS\r\n",
                        "X null Empty response line",
                        "X * Empty response",
                        "X * Empty response",
                        "F COMPLETE tag=* kw=EXISTS n=2 tokens=[2 EXISTS]"),
                row(
                        "line too long",
                        SMALL,
                        "* OK " + "x".repeat(130) + "\r\n* 2 EXISTS\r\n",
                        "X * Line too long (max 128)",
                        "F COMPLETE tag=* kw=EXISTS n=2 tokens=[2 EXISTS]"),
                // from a server the literal follows anyway, so it is skipped even though it is a sync literal
                row(
                        "too long line ending in a literal",
                        SMALL,
                        "* 1 FETCH (BODY[] " + "x".repeat(130) + " {5}\r\nhello)\r\n* 2 EXISTS\r\n",
                        "X * Line too long (max 128)",
                        "F COMPLETE tag=* kw=EXISTS n=2 tokens=[2 EXISTS]"),
                row(
                        "literal above a configured cap is fatal",
                        SMALL,
                        "* 1 FETCH (BODY[] {1001}\r\n",
                        "X! * Literal too large (max 1000)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decodesAtEverySplitPoint(String name, Limits limits, String wire, List<String> expected) {
        SplitRunner.assertEvents(RESPONSES, limits, wire.getBytes(StandardCharsets.UTF_8), expected, r -> {});
    }

    private static Arguments row(String name, Limits limits, String wire, String... events) {
        return Arguments.of(name, limits, wire, List.of(events));
    }
}

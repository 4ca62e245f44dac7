package org.modseqproxy.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.Token;

/**
 * The pure argument records, row by row. Rows named after an RFC 7162 example are that example's client line
 * (continuation lines joined); the others are the grammar's edges (RFC 7162 section 7, RFC 9051 section 9).
 */
class CommandArgsTest {
    private static Command command(String line) {
        Frame f = Frames.decode(ImapDecoder.Side.COMMANDS, line + "\r\n").get(0);
        return new Command(f.tag(), f.keyword(), f);
    }

    private static String described(List<Token> items) {
        return Args.serialize(items);
    }

    /** Client line; set; UNCHANGEDSINCE (or -); action; silent; flags. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted) | 6,4,8   | 12121230045 | +FLAGS | true  | (\\Deleted)
      a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted $Processed) | *  | 12121230045 | +FLAGS | true  | (\\Deleted $Processed)
      c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)      | 50      | 12121230045 | -FLAGS | true  | (\\Deleted)
      a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)                  | 12      | 0           | +FLAGS | true  | ($MDNSent)
      b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\\Seen)                  | 2       | 320172340   | +FLAGS | false | (\\Seen)
      t1 STORE 1:3 flags.silent \\Seen $Junk                                     | 1:3     | -           | FLAGS  | true  | \\Seen $Junk
      """)
    void storeArgs(String line, String set, String since, String action, boolean silent, String flags) {
        StoreArgs a = StoreArgs.parse(command(line).args());
        assertThat(a)
                .isEqualTo(new StoreArgs(set, since.equals("-") ? null : Long.valueOf(since), action, silent, flags));
        assertThat(a.conditional()).isEqualTo(!since.equals("-"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      t STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)            | Unknown STORE modifier
      t STORE 1 (CHANGEDSINCE 5) +FLAGS (\\Seen)            | Unknown STORE modifier
      t STORE 1 (UNCHANGEDSINCE -1) +FLAGS (\\Seen)         | UNCHANGEDSINCE
      t STORE 1 =FLAGS (\\Seen)                             | Unknown STORE action =flags
      t STORE 1 +FLAGS                                        | STORE expects
      """)
    void storeArgsRefused(String line, String message) {
        assertThatThrownBy(() -> StoreArgs.parse(command(line).args()))
                .isInstanceOf(ImapException.class)
                .hasMessageContaining(message);
    }

    /** Client line; set; items the backend gets; MODSEQ item; CHANGEDSINCE (or -); VANISHED; allowed after QRESYNC. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)              | 1:*     | FLAGS     | false | 12345 | false | true
      a FETCH 1:3 (MODSEQ)                                         | 1:3     | ''        | true  | -     | false | true
      s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED) | 300:500 | FLAGS     | false | 12345 | true  | true
      t FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)                | 1:*     | FLAGS     | false | 1     | true  | false
      t UID FETCH 1:* (FLAGS) (VANISHED)                           | 1:*     | FLAGS     | false | -     | true  | false
      t FETCH 2 (UID MODSEQ FLAGS ENVELOPE)                        | 2       | UID FLAGS ENVELOPE | true | - | false | true
      t FETCH 2 FLAGS                                              | 2       | FLAGS     | false | -     | false | true
      """)
    void fetchArgs(String line, String set, String items, boolean modSeq, String since, boolean vanished, boolean ok) {
        Command c = command(line);
        FetchArgs a = FetchArgs.parse(c.args());
        assertThat(a.set()).isEqualTo(set);
        assertThat(described(a.items())).isEqualTo(items);
        assertThat(a.modSeqItem()).isEqualTo(modSeq);
        assertThat(a.changedSince()).isEqualTo(since.equals("-") ? null : Long.valueOf(since));
        assertThat(a.vanished()).isEqualTo(vanished);
        // RFC 7162 3.2.6: VANISHED needs UID FETCH and CHANGEDSINCE, and ENABLE QRESYNC before it
        assertThat(a.vanishedAllowed(c.uid(), true)).isEqualTo(ok);
        assertThat(a.vanishedAllowed(c.uid(), false)).isEqualTo(ok && !vanished);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      t FETCH 1 (FLAGS) (CHANGEDSINCE)         | Unknown FETCH modifier
      t FETCH 1 (FLAGS) (CHANGEDSINCE x)       | CHANGEDSINCE
      t FETCH 1 (FLAGS) CHANGEDSINCE           | Invalid FETCH modifiers
      t FETCH 1                                | FETCH expects
      """)
    void fetchArgsRefused(String line, String message) {
        assertThatThrownBy(() -> FetchArgs.parse(command(line).args()))
                .isInstanceOf(ImapException.class)
                .hasMessageContaining(message);
    }

    /** Client line; mailbox; CONDSTORE; QRESYNC uidvalidity (or -); modseq; known-uids (or -). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      A142 SELECT INBOX                                                          | INBOX | false | -          | -                 | -
      A142 SELECT INBOX (CONDSTORE)                                              | INBOX | true  | -          | -                 | -
      A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))  | INBOX | false | 67890007   | 20050715194045000 | 41,43:211,214:541
      A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))            | INBOX | false | 67890007   | 90060115194045000 | 1:29997
      B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500))) | INBOX | false | 67890007 | 90060115194045000 | 1:29997
      A142 EXAMINE INBOX (QRESYNC (3857529045 20010715194032001 1:198))          | INBOX | false | 3857529045 | 20010715194032001 | 1:198
      t SELECT Archive (QRESYNC (1 0))                                           | Archive | false | 1        | 0                 | -
      """)
    void selectArgs(String line, String mailbox, boolean condstore, String uv, String modSeq, String known) {
        Command c = command(line);
        SelectArgs a = SelectArgs.parse(c.name(), c.args());
        assertThat(a.mailbox()).isEqualTo(mailbox);
        assertThat(a.condstore()).isEqualTo(condstore);
        if (uv.equals("-")) {
            assertThat(a.qresync()).isNull();
            return;
        }
        assertThat(a.qresync().uidValidity()).isEqualTo(Long.parseLong(uv));
        assertThat(a.qresync().modSeq()).isEqualTo(Long.parseLong(modSeq));
        assertThat(
                        a.qresync().knownUids() == null
                                ? "-"
                                : a.qresync().knownUids().toImapString())
                .isEqualTo(known.equals("-") ? "-" : Args.sequenceSet(known, 1).toImapString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      t SELECT INBOX (QRESYNC (0 5))                  | Invalid UIDVALIDITY
      t SELECT INBOX (QRESYNC (4294967296 5))         | UIDVALIDITY
      t SELECT INBOX (QRESYNC (1 5 1:*))              | '*' is not allowed
      t SELECT INBOX (QRESYNC (1 5 0:5))              | 0 is not a message number
      t SELECT INBOX (QRESYNC (1 5 1:5 6:9))          | seq-match
      t SELECT INBOX (QRESYNC (1))                    | Invalid QRESYNC parameter
      t SELECT INBOX (NOTHING)                        | Unknown SELECT parameter
      t SELECT INBOX CONDSTORE                        | Invalid SELECT parameters
      """)
    void selectArgsRefused(String line, String message) {
        Command c = command(line);
        assertThatThrownBy(() -> SelectArgs.parse(c.name(), c.args()))
                .isInstanceOf(ImapException.class)
                .hasMessageContaining(message);
    }

    /** RFC 7162 3.1.6 Example 15 (the STATUS line) and the shapes STATUS passes through untouched. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ) | blurdybloop | UIDNEXT MESSAGES HIGHESTMODSEQ | true
      t STATUS INBOX (messages unseen)                         | INBOX       | MESSAGES UNSEEN                | false
      """)
    void statusArgs(String line, String mailbox, String items, boolean highestModSeq) {
        StatusArgs a = StatusArgs.parse(command(line).args());
        assertThat(a.mailbox()).isEqualTo(mailbox);
        assertThat(String.join(" ", a.items())).isEqualTo(items);
        assertThat(a.highestModSeq()).isEqualTo(highestModSeq);
    }
}

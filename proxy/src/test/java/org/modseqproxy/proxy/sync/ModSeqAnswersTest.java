package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.impl.MailboxState;

/** What the funnel writes into SEARCH, ESEARCH and STATUS answers (RFC 7162 3.1.5, 3.1.7, 3.1.10). */
class ModSeqAnswersTest {
    /** Messages 1..4 are UIDs 10, 20, 30, 40 with mod-sequences 5, 917162500, 7, 1236. */
    private static SelectedMailbox mailbox() {
        SelectedMailbox mb = new SelectedMailbox("INBOX", new MailboxId("b", "u", "INBOX"), false, 1);
        mb.reset(new long[] {10, 20, 30, 40});
        mb.snapshot(MailboxState.of(
                1,
                917162500,
                1,
                List.of(
                        new MessageState(10, 5, Flags.EMPTY),
                        new MessageState(20, 917162500, Flags.EMPTY),
                        new MessageState(30, 7, Flags.EMPTY),
                        new MessageState(40, 1236, Flags.EMPTY))));
        return mb;
    }

    private static Frame frame(String line) {
        return Frames.decode(ImapDecoder.Side.RESPONSES, Buffer.buffer(line + "\r\n"))
                .get(0);
    }

    @ParameterizedTest(name = "{0} (uid={1})")
    @CsvSource(
            delimiter = '|',
            value = {
                // RFC 7162 3.1.5 Example 15 shape: the highest mod-sequence of the found messages
                "* SEARCH 2 4|false|* SEARCH 2 4 (MODSEQ 917162500)",
                "* SEARCH 1 3 4|false|* SEARCH 1 3 4 (MODSEQ 1236)",
                "* SEARCH 30 10|true|* SEARCH 30 10 (MODSEQ 7)",
                // nothing found: no MODSEQ (3.1.5)
                "* SEARCH|false|* SEARCH",
                // RFC 7162 3.1.10: ESEARCH gets MODSEQ after the results, UID results are UIDs
                "* ESEARCH (TAG \"a\") ALL 1,3:4|false|* ESEARCH (TAG \"a\") ALL 1,3:4 MODSEQ 1236",
                "* ESEARCH (TAG \"a\") UID ALL 10,30|true|* ESEARCH (TAG \"a\") UID ALL 10,30 MODSEQ 7",
                "* ESEARCH (TAG \"a\") MIN 1 MAX 2|false|* ESEARCH (TAG \"a\") MIN 1 MAX 2 MODSEQ 917162500",
                "* ESEARCH (TAG \"a\") COUNT 0|false|* ESEARCH (TAG \"a\") COUNT 0",
            })
    void searchResultsCarryTheHighestModSeqFound(String backend, boolean uid, String client) {
        assertThat(ModSeqAnswers.search(frame(backend), mailbox(), uid)).isEqualTo(client);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // RFC 7162 3.1.7 Example: "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 7500 HIGHESTMODSEQ 7011231777)"
                "MESSAGES UIDNEXT HIGHESTMODSEQ|* STATUS blurdybloop (MESSAGES 231 UIDNEXT 7500 HIGHESTMODSEQ 7011231777)",
                // in the client's order, without the items the proxy added for itself (UIDVALIDITY)
                "HIGHESTMODSEQ MESSAGES|* STATUS blurdybloop (HIGHESTMODSEQ 7011231777 MESSAGES 231)",
            })
    void statusCarriesOurHighestModSeqInTheClientsOrder(String requested, String client) {
        Map<String, Long> backend = Map.of("MESSAGES", 231L, "UIDNEXT", 7500L, "UIDVALIDITY", 42L);
        assertThat(ModSeqAnswers.status("blurdybloop", List.of(requested.split(" ")), backend, 7011231777L))
                .isEqualTo(client);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                // RFC 7162 3.2.7 Example: "A202 OK [HIGHESTMODSEQ 20010715194045319] expunged"
                "p7 OK expunged|20010715194045319|OK [HIGHESTMODSEQ 20010715194045319] expunged",
                "p7 OK expunged|0|none", // nothing expunged, or no QRESYNC: the backend's answer as it is
                "p7 NO [CANNOT] no|5|none",
                "p7 OK [COPYUID 1 2 3] moved|5|none", // a code of its own: the value goes in an untagged OK before
            })
    void expungingOkCarriesHighestModSeq(String backend, long hms, String client) {
        assertThat(ModSeqAnswers.expungingOk(frame(backend), hms)).isEqualTo(client);
    }

    @ParameterizedTest(name = "client {0}, HIGHESTMODSEQ {1} -> {2}")
    @CsvSource({
        // RFC 7162 3.2.5.2 / 3.1.4.1: a value the counter handed out is answered from
        "715194045007, 715194045007, 715194045007",
        "1, 917162500, 1",
        "0, 917162500, 0",
        // above the counter: state that was lost (or a counter of an earlier version, in microseconds) -> in full
        "917162501, 917162500, 0",
        "1764000000000000, 29000000000, 0"
    })
    void aClientModSeqAboveTheCounterIsAnsweredInFull(long client, long highest, long expected) {
        assertThat(ModSeqAnswers.since(client, highest)).isEqualTo(expected);
    }
}

package org.modseqproxy.load.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.modseqproxy.load.imap.Imap.imapRegex;
import static org.modseqproxy.load.imap.Imap.status;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksTest {

    private static final ImapReply SELECT = new ImapReply(
            ImapStatus.OK,
            "G3 OK [READ-WRITE] SELECT completed",
            List.of(
                    "* 240 EXISTS",
                    "* OK [UIDVALIDITY 1795908392]",
                    "* OK [HIGHESTMODSEQ 1795908402295584] Highest",
                    "* 1 FETCH (UID 1 MODSEQ (7))",
                    "* 2 FETCH (UID 2 MODSEQ (9))"),
            0);

    @Test
    void regexSavesTheFirstGroupOfTheFirstMatch() {
        Map<String, Object> saves = new HashMap<>();
        assertThat(imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]").saveAs("hms").verify(SELECT, saves))
                .isNull();
        assertThat(imapRegex("MODSEQ \\((\\d+)\\)").saveAs("first").verify(SELECT, saves))
                .isNull();
        assertThat(imapRegex("READ-WRITE").saveAs("whole").verify(SELECT, saves))
                .isNull(); // tagged line searched too
        assertThat(saves)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("hms", "1795908402295584", "first", "7", "whole", "READ-WRITE"));
    }

    @Test
    void regexCountsMatchesOverAllLines() {
        Map<String, Object> saves = new HashMap<>();
        assertThat(imapRegex("^\\* \\d+ FETCH").atLeast(2).verify(SELECT, saves))
                .isNull();
        assertThat(imapRegex("^\\* \\d+ FETCH").atLeast(3).verify(SELECT, saves))
                .isEqualTo(
                        "/^\\* \\d+ FETCH/ matched 2 time(s), expected at least 3 (tagged: G3 OK [READ-WRITE] SELECT completed)");
        assertThat(imapRegex("NOMODSEQ").verify(SELECT, saves)).startsWith("/NOMODSEQ/ matched 0 time(s)");
        assertThat(imapRegex("NOMODSEQ").optional().saveAs("x").verify(SELECT, saves))
                .isNull();
        assertThat(saves).isEmpty();
    }

    @Test
    void notExistsFailsOnAMatch() {
        assertThat(imapRegex("NOMODSEQ").notExists().verify(SELECT, new HashMap<>()))
                .isNull();
        assertThat(imapRegex("UIDVALIDITY (\\d+)").notExists().verify(SELECT, new HashMap<>()))
                .isEqualTo("/UIDVALIDITY (\\d+)/ should not match but found 1795908392");
    }

    @Test
    void statusCheck() {
        ImapReply no = new ImapReply(ImapStatus.NO, "G2 NO [AUTHENTICATIONFAILED] bad", List.of(), 0);
        assertThat(status(ImapStatus.OK).verify(SELECT, new HashMap<>())).isNull();
        assertThat(status(ImapStatus.OK).verify(no, new HashMap<>()))
                .isEqualTo("expected OK: G2 NO [AUTHENTICATIONFAILED] bad");
        assertThat(status(ImapStatus.NO, ImapStatus.BAD).verify(no, new HashMap<>()))
                .isNull();
    }

    @Test
    void taggedStatusWord() {
        assertThat(ImapStatus.ofTaggedLine("A1 OK done")).isEqualTo(ImapStatus.OK);
        assertThat(ImapStatus.ofTaggedLine("A1 bad [PARSE] what")).isEqualTo(ImapStatus.BAD);
        assertThat(ImapStatus.ofTaggedLine("A1 NO")).isEqualTo(ImapStatus.NO);
        assertThat(ImapStatus.ofTaggedLine("A1 BYE x")).isNull();
        assertThat(ImapStatus.ofTaggedLine("A1")).isNull();
    }

    @Test
    void quotedStrings() {
        assertThat(CommandTemplate.quote("INBOX")).isEqualTo("\"INBOX\"");
        assertThat(CommandTemplate.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThatThrownBy(() -> CommandTemplate.quote("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
    }
}

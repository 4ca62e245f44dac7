package org.modseqproxy.load.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.modseqproxy.load.imap.Imap.highestModSeqNeverDecreases;
import static org.modseqproxy.load.imap.Imap.modSeqs;
import static org.modseqproxy.load.imap.Imap.vanished;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The RFC 7162 checks, with replies taken from the RFC's examples. */
class ModSeqChecksTest {

    private static ImapReply reply(String tagged, String... untagged) {
        return new ImapReply(ImapStatus.OK, tagged, List.of(untagged), 0);
    }

    @Test
    void vanishedCollectsEarlierAndLiveSets() {
        // RFC 7162 3.2.5.1, the example after "A02 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))"
        ImapReply select = reply(
                "A02 OK [READ-WRITE] mailbox selected",
                "* OK [UIDVALIDITY 67890007]",
                "* OK [HIGHESTMODSEQ 90060115205545359]",
                "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
                "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))",
                "* VANISHED 541");
        Map<String, Object> saves = new HashMap<>();
        assertThat(vanished().saveAs("gone").verify(select, saves)).isNull();
        Set<Long> expected = new TreeSet<>();
        expected.add(41L);
        LongStream.rangeClosed(43, 116).forEach(expected::add);
        expected.add(118L);
        LongStream.rangeClosed(120, 211).forEach(expected::add);
        LongStream.rangeClosed(214, 541).forEach(expected::add);
        assertThat(saves.get("gone")).isEqualTo(expected);

        Map<String, Object> none = new HashMap<>();
        assertThat(vanished().saveAs("gone").verify(reply("A03 OK"), none)).isNull();
        assertThat(none.get("gone")).isEqualTo(Set.of());
        assertThat(vanished().verify(reply("A04 OK", "* VANISHED 3:*"), new HashMap<>()))
                .isEqualTo("malformed VANISHED: * VANISHED 3:*");
    }

    @Test
    void modSeqsOfFetchLinesWithUidAndModSeq() {
        // RFC 7162 3.1.4.1 (a103) and a line without MODSEQ, which is skipped
        ImapReply fetch = reply(
                "s100 OK",
                "* 7 FETCH (MODSEQ (12121231000) UID 17)",
                "* 8 FETCH (UID 18 FLAGS (\\Seen) MODSEQ (12121231001))",
                "* 9 FETCH (UID 19 FLAGS ())");
        Map<String, Object> saves = new HashMap<>();
        assertThat(modSeqs().saveAs("m").verify(fetch, saves)).isNull();
        assertThat(saves.get("m")).isEqualTo(Map.of(17L, 12121231000L, 18L, 12121231001L));
    }

    @Test
    void highestModSeqMayOnlyGoUpForTheSameUidValidity() {
        ImapCheck check = highestModSeqNeverDecreases("INBOX");
        Map<String, Object> session = new HashMap<>();
        ImapReply first = reply("a OK", "* OK [UIDVALIDITY 3857529045]", "* OK [HIGHESTMODSEQ 715194045007]");
        assertThat(verify(check, first, session)).isNull();
        // the same value again, and a higher one in a STATUS answer (RFC 7162 3.1.7): fine
        assertThat(verify(check, first, session)).isNull();
        ImapReply status = reply("b OK", "* STATUS INBOX (UIDVALIDITY 3857529045 HIGHESTMODSEQ 715194045009)");
        assertThat(verify(check, status, session)).isNull();
        // lower, same UIDVALIDITY: a client's resync point would be lost
        ImapReply lower = reply("c OK", "* OK [UIDVALIDITY 3857529045]", "* OK [HIGHESTMODSEQ 715194045008]");
        assertThat(verify(check, lower, session))
                .isEqualTo("HIGHESTMODSEQ went down from 715194045009 to 715194045008 (UIDVALIDITY 3857529045)");
        // without UIDVALIDITY the last one seen is assumed (a FETCH's untagged OK [HIGHESTMODSEQ])
        assertThat(verify(check, reply("d OK", "* OK [HIGHESTMODSEQ 5]"), session))
                .startsWith("HIGHESTMODSEQ went down");
        // a new UIDVALIDITY starts over; NOMODSEQ says nothing
        assertThat(verify(check, reply("e OK", "* OK [UIDVALIDITY 1]", "* OK [HIGHESTMODSEQ 2]"), session))
                .isNull();
        assertThat(verify(check, reply("f OK", "* OK [UIDVALIDITY 1]", "* OK [NOMODSEQ]"), session))
                .isNull();
        assertThat(verify(check, reply("g OK", "* OK [HIGHESTMODSEQ 1]"), session))
                .startsWith("HIGHESTMODSEQ went down from 2 to 1");
    }

    @Test
    void uidSets() {
        assertThat(ModSeqChecks.uids("5:3,9")).containsExactly(3L, 4L, 5L, 9L);
        assertThatThrownBy(() -> ModSeqChecks.uids("1:*")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saslPlainResponseIsRenderedFromTheSession() {
        var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            var session = io.gatling.core.session.Session$.MODULE$
                    .apply("s", 1L, group.next())
                    .set("user", "tim")
                    .set("password", "tanstaaftanstaaf");
            String rendered =
                    CommandTemplate.saslPlain("#{user}", "#{password}").render(session);
            // RFC 4616 section 4's example: "\0tim\0tanstaaftanstaaf"
            assertThat(new String(Base64.getDecoder().decode(rendered), StandardCharsets.UTF_8))
                    .isEqualTo("\0tim\0tanstaaftanstaaf");
            assertThat(rendered).isEqualTo("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Runs a check as the action does: reading and then updating the session's attributes. */
    private static String verify(ImapCheck check, ImapReply reply, Map<String, Object> session) {
        Map<String, Object> saves = new HashMap<>();
        String failure = check.verify(reply, session::get, saves);
        session.putAll(saves);
        return failure;
    }
}

package org.modseqproxy.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.UidSet;

/**
 * The sequence-set parser every STORE/FETCH/QRESYNC argument goes through (RFC 9051 section 9): any string either
 * parses into numbers 1..4294967295 or is a tagged BAD (ImapException), never another exception; and mapping a set
 * through a 50-message view never walks more than the view (a huge range costs O(mailbox)).
 */
class ArgsFuzzTest {
    @Provide
    Arbitrary<String> sets() {
        Arbitrary<String> piece = Arbitraries.of(
                "1",
                "2",
                "50",
                "0",
                "*",
                ":",
                ",",
                "4294967295",
                "4294967296",
                "99999999999999999999",
                "-1",
                "x",
                " ",
                "",
                "1:*",
                "*:1",
                "7:3");
        return piece.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void parsesOrIsBad(@ForAll("sets") String set) {
        Throwable t = catchThrowable(() -> {
            UidSet s = Args.sequenceSet(set, 50);
            assertThat(s.isEmpty() || s.first() >= 1 && s.last() <= Args.MAX_NUMBER)
                    .isTrue();
        });
        assertThat(t)
                .satisfiesAnyOf(x -> assertThat(x).isNull(), x -> assertThat(x).isInstanceOf(ImapException.class));
    }

    @Property(tries = 1000)
    void mappingThroughAViewIsBadOrBounded(@ForAll("sets") String set) {
        SelectedMailbox mb = new SelectedMailbox("INBOX", new MailboxId("b1", "u", "INBOX"), false, 7);
        long[] uids = new long[50];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = 100 + 2L * i;
        }
        mb.reset(uids);
        for (boolean uid : List.of(true, false)) {
            Throwable t = catchThrowable(() -> {
                UidSet mapped = Args.uids(mb, set, uid);
                if (!uid) {
                    assertThat(mapped.size()).isLessThanOrEqualTo(50);
                }
            });
            assertThat(t)
                    .satisfiesAnyOf(
                            x -> assertThat(x).isNull(), x -> assertThat(x).isInstanceOf(ImapException.class));
        }
    }
}

package org.modseqproxy.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;

/** RFC 5267: which searches ask for updates (4.1), CANCELUPDATE's arguments (4.3), the tag map and its bound. */
class UpdateContextsTest {
    private static Command command(String line) {
        Frame f = Frames.decode(ImapDecoder.Side.COMMANDS, line + "\r\n").get(0);
        return new Command(f.tag(), f.keyword(), f);
    }

    /** Client line (rows named B01 are RFC 5267's examples' shape); whether it asks for updates. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      B01 UID SEARCH RETURN (UPDATE) FLAGGED                  | true
      B02 UID SORT RETURN (COUNT UPDATE) (DATE) UTF-8 UNSEEN  | true
      a SEARCH RETURN (update min) SEEN                       | true
      a SEARCH RETURN (MIN MAX) SEEN                          | false
      a SEARCH SUBJECT UPDATE                                 | false
      a SEARCH UNSEEN                                         | false
      """)
    void wantsUpdates(String line, boolean expected) {
        assertThat(UpdateContexts.wantsUpdates(command(line).args())).isEqualTo(expected);
    }

    @Test
    void cancelUpdateTakesTagStringsAndNothingElse() {
        assertThat(CancelUpdate.Tags.parse(
                                command("c CANCELUPDATE \"B01\" \"B02\"").args())
                        .clientTags())
                .containsExactly("B01", "B02");
        assertThat(CancelUpdate.Tags.parse(command("c CANCELUPDATE B03").args()).clientTags())
                .containsExactly("B03");
        assertThatThrownBy(
                        () -> CancelUpdate.Tags.parse(command("c CANCELUPDATE").args()))
                .isInstanceOf(ImapException.class);
        assertThatThrownBy(() ->
                        CancelUpdate.Tags.parse(command("c CANCELUPDATE (B01)").args()))
                .isInstanceOf(ImapException.class);
    }

    @Test
    void mapsBothWaysNewestFirstAndForgetsCancelledAndOldest() {
        UpdateContexts c = new UpdateContexts();
        c.opened("p1", "B01");
        c.opened("p2", "B01"); // the client reused its tag: CANCELUPDATE names the newest
        c.opened("p3", "B02");
        assertThat(c.clientTag("p1")).isEqualTo("B01");
        assertThat(c.backendTag("B01")).isEqualTo("p2");
        assertThat(c.clientTag("p9")).isNull();

        c.cancelled(List.of("p3"));
        assertThat(c.clientTag("p3")).isNull();
        assertThat(c.backendTag("B02")).isNull();

        for (int i = 0; i < UpdateContexts.LIMIT; i++) {
            c.opened("q" + i, "C" + i);
        }
        assertThat(c.clientTag("p1")).isNull();
        assertThat(c.clientTag("q0")).isEqualTo("C0");
    }
}

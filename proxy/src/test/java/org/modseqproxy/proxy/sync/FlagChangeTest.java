package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modseqproxy.state.Flags;

/**
 * A STORE applied to a message's flags (RFC 9051 6.4.6), row by row, and the FETCH line rewritten to the flags the
 * client is told.
 */
class FlagChangeTest {
    /** STORE action; its flag list as written; the message's flags before; after. */
    @ParameterizedTest(name = "{0} {1} on ({2})")
    @CsvSource(delimiter = '|', textBlock = """
      # RFC 9051 6.4.6: +FLAGS adds, -FLAGS removes, FLAGS replaces
      +FLAGS | (\\Deleted)         | \\Seen           | \\Deleted \\Seen
      -FLAGS | (\\Seen)            | \\Flagged \\Seen | \\Flagged
      FLAGS  | (\\Answered)        | \\Flagged \\Seen | \\Answered
      # setting what is set, clearing what is clear: the same flags (no new mod-sequence, RFC 7162 3.1)
      +FLAGS | (\\Seen)            | \\Seen           | \\Seen
      -FLAGS | (\\Seen)            |                  |
      # a single flag without parentheses, system flags in any case, keywords kept
      +FLAGS | \\seen              |                  | \\Seen
      +FLAGS | ($Forwarded \\Seen) | \\Flagged        | $Forwarded \\Flagged \\Seen
      FLAGS  | ()                  | \\Seen $Junk     |
      """)
    void appliesAStoreToFlags(String action, String list, String before, String after) {
        // an empty column (no flags) arrives as null
        Flags was = Flags.parse(before == null ? "" : before);
        Flags is = Flags.parse(after == null ? "" : after);
        assertThat(FlagChange.of(action, list).applyTo(was)).isEqualTo(is);
    }

    @Test
    void onlyStoreActionsAreChanges() {
        assertThatThrownBy(() -> FlagChange.of("FETCH", "(\\Seen)")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFetchLineTellsTheFlagsItIsGiven() {
        Buffer line = Buffer.buffer("* 3 FETCH (FLAGS (\\Flagged) UID 7)");
        assertThat(FetchResponse.withFlags(line, Flags.of("\\Flagged", "\\Seen"))
                        .toString())
                .isEqualTo("* 3 FETCH (FLAGS (\\Flagged \\Seen) UID 7)");
        assertThat(FetchResponse.withFlags(Buffer.buffer("* 3 FETCH (UID 7 FLAGS ())"), Flags.EMPTY)
                        .toString())
                .isEqualTo("* 3 FETCH (UID 7 FLAGS ())");
        Buffer noFlags = Buffer.buffer("* 3 FETCH (UID 7)");
        assertThat(FetchResponse.withFlags(noFlags, Flags.of("\\Seen"))).isSameAs(noFlags);
    }
}

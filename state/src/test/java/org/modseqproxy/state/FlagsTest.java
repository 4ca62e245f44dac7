package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {

    @Test
    void normalizesSortsDeduplicatesAndDropsRecent() {
        Flags f = Flags.of(List.of("foo", "\\seen", "\\Recent", "\\Seen", "$Junk", "foo"));
        assertThat(f.list()).containsExactly("$Junk", "\\Seen", "foo");
        assertThat(f.toImap()).isEqualTo("($Junk \\Seen foo)");
        assertThat(f).isEqualTo(Flags.parse("(\\SEEN $Junk foo \\recent)"));
        assertThat(Flags.parse(f.toString())).isEqualTo(f);
        assertThat(Flags.parse("()")).isEqualTo(Flags.EMPTY);
        assertThat(Flags.of(List.of("\\Recent")).toImap()).isEqualTo("()");
    }
}

package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class UidSetTest {

    @Test
    void parsesAndPrintsMergedAscendingRanges() {
        assertThat(UidSet.parse("9:12,5,3:1,4", 100).toImapString()).isEqualTo("1:5,9:12");
        assertThat(UidSet.parse("7:*", 10).toImapString()).isEqualTo("7:10");
        assertThat(UidSet.parse("*", 10).toImapString()).isEqualTo("10");
        // RFC 3501 6.4.8: 559:* includes the last UID even when 559 is above it
        assertThat(UidSet.parse("559:*", 100).toImapString()).isEqualTo("100:559");
        assertThat(UidSet.parse("*", 0).isEmpty()).isTrue();
        assertThat(UidSet.parse("3:*", 0).toImapString()).isEqualTo("3");
    }

    @Test
    void rejectsMalformedSets() {
        for (String bad : new String[] {"", "0", "1,,2", "a", "1:b", "01", "1:0", ","}) {
            assertThatThrownBy(() -> UidSet.parse(bad, 10)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void setOperationsMatchATreeSetModel() {
        Random rnd = new Random(42);
        for (int round = 0; round < 3000; round++) {
            TreeSet<Long> a = randomSet(rnd);
            TreeSet<Long> b = randomSet(rnd);
            UidSet sa = toUidSet(a);
            UidSet sb = toUidSet(b);
            TreeSet<Long> union = new TreeSet<>(a);
            union.addAll(b);
            TreeSet<Long> minus = new TreeSet<>(a);
            minus.removeAll(b);
            TreeSet<Long> inter = new TreeSet<>(a);
            inter.retainAll(b);
            assertThat(sa.union(sb).stream().boxed().toList())
                    .isEqualTo(union.stream().toList());
            assertThat(sa.minus(sb).stream().boxed().toList())
                    .isEqualTo(minus.stream().toList());
            assertThat(sa.intersect(sb).stream().boxed().toList())
                    .isEqualTo(inter.stream().toList());
            assertThat(sa.size()).isEqualTo(a.size());
            assertThat(UidSet.parse(sa.isEmpty() ? "*" : sa.toImapString(), 0)).isEqualTo(sa);
            long probe = 1 + rnd.nextInt(60);
            assertThat(sa.contains(probe)).isEqualTo(a.contains(probe));
        }
    }

    private static TreeSet<Long> randomSet(Random rnd) {
        TreeSet<Long> s = new TreeSet<>();
        int n = rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
            s.add(1L + rnd.nextInt(60));
        }
        return s;
    }

    private static UidSet toUidSet(TreeSet<Long> s) {
        // insert in random-ish order to exercise the builder's sort and merge
        UidSet.Builder b = new UidSet.Builder();
        s.descendingSet().forEach(b::add);
        return b.build();
    }
}

package org.modseqproxy.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Compares what two clients concluded from the same resync on two servers, and files every difference as a
 * BUG or as ALLOWED with the RFC 7162 rule that allows it. The rules, per resync:
 * <ol>
 *   <li>Each client must end up with exactly the store's messages and flags (else BUG: a client was misled).</li>
 *   <li>Both stores must hold the same messages and flags (else BUG: the history did not replay alike).</li>
 *   <li>UIDs reported vanished, among those the client knew: the same on both (else BUG).</li>
 *   <li>UIDs reported vanished that the client did not know: ALLOWED (3.2.5.1 "should only report ... for the
 *       specified messages"; 3.2.6 note and 5.1: below its expunge horizon a server reports every expunged UID of
 *       the set). For a NOOP such a UID was announced by EXISTS in the same reply, or it is a BUG (3.2.10.2).</li>
 *   <li>Flags reported for known messages: the same where both report a message; a message reported on one side
 *       only is ALLOWED when the reported flags are what the client already had (its mod-sequence moved without a
 *       net change, e.g. a flag set and cleared again: 3.1 lets the server report it, and a store that only
 *       compares listings cannot see it), else BUG.</li>
 *   <li>Flags reported for messages the client did not know: ALLOWED to differ in which messages are reported when
 *       the client sent known-uids or for a NOOP (3.2.5.1; new mail is announced by EXISTS), else BUG; where both
 *       report one, the flags must agree.</li>
 *   <li>Any {@link SyncReport#violations() violation} (FETCH without UID, EXPUNGE under QRESYNC): BUG, or
 *       KNOWN_BUG when it is already pinned by a disabled test (listed by the caller).</li>
 * </ol>
 */
final class DiffReport {

    /** KNOWN_BUG: a BUG already pinned by a disabled test elsewhere; reported, but it does not fail the run. */
    enum Kind {
        BUG,
        KNOWN_BUG,
        ALLOWED
    }

    /** A violation text that is a known bug of one world, and where it is pinned. */
    record KnownBug(String world, String violation, String pinnedBy) {}

    /** How the client asked: QRESYNC with its known UIDs, QRESYNC without them, or NOOP in a live session. */
    enum Ask {
        KNOWN_UIDS,
        ALL_UIDS,
        NOOP
    }

    record Difference(Kind kind, String step, String what, String why) {
        @Override
        public String toString() {
            return "[" + kind + "] " + step + ": " + what + (why.isEmpty() ? "" : "\n    why: " + why);
        }
    }

    private final List<KnownBug> knownBugs;
    private final List<Difference> differences = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private int comparisons;
    private int nonEmpty;

    DiffReport(List<KnownBug> knownBugs) {
        this.knownBugs = List.copyOf(knownBugs);
    }

    List<Difference> bugs() {
        return differences.stream().filter(d -> d.kind() == Kind.BUG).toList();
    }

    List<Difference> differences() {
        return List.copyOf(differences);
    }

    /** Resyncs compared, and how many of them reported anything at all (so a passing run is not a vacuous one). */
    int comparisons() {
        return comparisons;
    }

    int nonEmpty() {
        return nonEmpty;
    }

    void compare(String step, Ask ask, DiffWorld.Outcome a, DiffWorld.Outcome b) {
        comparisons++;
        if (!a.vanished().isEmpty()
                || !a.changedKnown().isEmpty()
                || !b.vanished().isEmpty()
                || !b.changedKnown().isEmpty()) {
            nonEmpty++;
        }
        log.add(step + " (" + ask + ")\n  " + summary(a) + "\n  " + summary(b));
        for (DiffWorld.Outcome o : List.of(a, b)) {
            if (!o.concluded().equals(o.truth())) {
                bug(
                        step,
                        o.world() + " client concludes " + o.concluded() + " but the store holds " + o.truth(),
                        "rule 1\n" + o.transcript());
            }
            for (String violation : o.violations()) {
                KnownBug known = knownBugs.stream()
                        .filter(k -> o.world().equals(k.world()) && violation.contains(k.violation()))
                        .findFirst()
                        .orElse(null);
                if (known != null) {
                    add(Kind.KNOWN_BUG, step, o.world() + ": " + violation, "rule 7; pinned by " + known.pinnedBy());
                } else {
                    bug(step, o.world() + ": " + violation, "rule 7");
                }
            }
        }
        if (!a.truth().equals(b.truth())) {
            bug(step, "stores differ: " + a.world() + " " + a.truth() + " vs " + b.world() + " " + b.truth(), "rule 2");
        }
        for (String label : symmetricDifference(a.vanished(), b.vanished())) {
            DiffWorld.Outcome only = a.vanished().contains(label) ? a : b;
            bug(
                    step,
                    "only " + only.world() + " reports known message " + label + " vanished",
                    "rule 3\n" + a.transcript() + "\n---\n" + b.transcript());
        }
        for (DiffWorld.Outcome o : List.of(a, b)) {
            for (String label : o.vanishedUnknown()) {
                boolean announced = ask != Ask.NOOP || o.transcript().contains(" EXISTS");
                add(
                        announced ? Kind.ALLOWED : Kind.BUG,
                        step,
                        o.world() + " reports " + label + " vanished, which the client did not know",
                        ask == Ask.NOOP
                                ? "RFC 7162 3.2.10.2 (announced by EXISTS in the same reply)"
                                : "RFC 7162 3.2.5.1, 3.2.6 note, 5.1: VANISHED (EARLIER) may cover UIDs outside the client's cache");
            }
        }
        for (String label : union(a.changedKnown().keySet(), b.changedKnown().keySet())) {
            SortedSet<String> fa = a.changedKnown().get(label);
            SortedSet<String> fb = b.changedKnown().get(label);
            if (fa != null && fb != null) {
                if (!fa.equals(fb)) {
                    bug(
                            step,
                            "flags of " + label + ": " + a.world() + " " + fa + " vs " + b.world() + " " + fb,
                            "rule 5");
                }
                continue;
            }
            DiffWorld.Outcome only = fa != null ? a : b;
            SortedSet<String> reported = fa != null ? fa : fb;
            if (reported.equals(only.cacheBefore().get(label))) {
                allowed(
                        step,
                        "only " + only.world() + " reports " + label + " " + reported
                                + ", flags the client already had",
                        "RFC 7162 3.1/3.2.5.1: its mod-sequence moved without a net flag change (set and cleared again);"
                                + " reporting it is allowed, and a store that compares listings cannot see it");
            } else {
                bug(
                        step,
                        "only " + only.world() + " reports the change of " + label + " to " + reported + " (client had "
                                + only.cacheBefore().get(label) + ")",
                        "rule 5");
            }
        }
        for (String label : union(a.changedNew().keySet(), b.changedNew().keySet())) {
            SortedSet<String> fa = a.changedNew().get(label);
            SortedSet<String> fb = b.changedNew().get(label);
            if (fa != null && fb != null) {
                if (!fa.equals(fb)) {
                    bug(
                            step,
                            "flags of new " + label + ": " + a.world() + " " + fa + " vs " + b.world() + " " + fb,
                            "rule 6");
                }
            } else if (ask == Ask.ALL_UIDS) {
                bug(
                        step,
                        "only " + (fa != null ? a : b).world() + " reports new message " + label
                                + " although the client asked for 1:<maxuid>",
                        "rule 6");
            } else {
                allowed(
                        step,
                        "only " + (fa != null ? a : b).world() + " reports new message " + label,
                        ask == Ask.NOOP
                                ? "RFC 9051 7.4.1: EXISTS announces new mail, a FETCH is optional"
                                : "RFC 7162 3.2.5.1: with known-uids a server \"should only report\" those");
            }
        }
    }

    /** Everything compared, then every difference: for the test's output and its failure message. */
    String render() {
        StringBuilder out =
                new StringBuilder("resyncs compared: " + comparisons + " (" + nonEmpty + " reported changes)\n");
        log.forEach(line -> out.append(line).append('\n'));
        long known =
                differences.stream().filter(d -> d.kind() == Kind.KNOWN_BUG).count();
        out.append("differences: ")
                .append(differences.size())
                .append(" (")
                .append(bugs().size())
                .append(" BUG, ")
                .append(known)
                .append(" KNOWN_BUG)\n");
        differences.forEach(d -> out.append(d).append('\n'));
        return out.toString();
    }

    private static String summary(DiffWorld.Outcome o) {
        return o.world() + ": vanished " + o.vanished()
                + (o.vanishedUnknown().isEmpty() ? "" : " +unknown " + o.vanishedUnknown()) + ", changed "
                + o.changedKnown() + (o.changedNew().isEmpty() ? "" : ", new " + o.changedNew());
    }

    private void bug(String step, String what, String why) {
        add(Kind.BUG, step, what, why);
    }

    private void allowed(String step, String what, String why) {
        add(Kind.ALLOWED, step, what, why);
    }

    private void add(Kind kind, String step, String what, String why) {
        differences.add(new Difference(kind, step, what, Objects.requireNonNullElse(why, "")));
    }

    private static SortedSet<String> union(java.util.Collection<String> a, java.util.Collection<String> b) {
        SortedSet<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private static SortedSet<String> symmetricDifference(SortedSet<String> a, SortedSet<String> b) {
        SortedSet<String> out = union(a, b);
        SortedSet<String> both = new TreeSet<>(a);
        both.retainAll(b);
        out.removeAll(both);
        return out;
    }
}

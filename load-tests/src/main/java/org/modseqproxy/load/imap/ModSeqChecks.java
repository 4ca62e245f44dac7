package org.modseqproxy.load.imap;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that read what RFC 7162 adds to replies: VANISHED sets, per-message MODSEQ values, and the rule that a
 * mailbox's HIGHESTMODSEQ never goes down while its UIDVALIDITY stays (RFC 7162 3: every change gets a
 * mod-sequence higher than all before it; 3.1.2.1 and 3.2.5: a client's remembered HIGHESTMODSEQ stays a valid
 * resync point). Built with {@link Imap#vanished()}, {@link Imap#modSeqs()} and
 * {@link Imap#highestModSeqNeverDecreases(String)}.
 */
public final class ModSeqChecks {

    private ModSeqChecks() {}

    static final Pattern VANISHED = Pattern.compile("^\\* VANISHED (?:\\(EARLIER\\) )?([0-9:,*]+)$");
    static final Pattern FETCH = Pattern.compile("^\\* \\d+ FETCH \\((.*)\\)$", Pattern.DOTALL);
    static final Pattern UID = Pattern.compile("\\bUID (\\d+)");
    static final Pattern MODSEQ = Pattern.compile("\\bMODSEQ \\((\\d+)\\)");
    static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)\\]|\\bUIDVALIDITY (\\d+)");
    static final Pattern HIGHESTMODSEQ = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)\\]|\\bHIGHESTMODSEQ (\\d+)");

    /**
     * The UIDs of an IMAP sequence set of UIDs such as {@code 41,43:116} (RFC 9051 9, {@code a:b} in either
     * order). {@code *} cannot be expanded without the mailbox and is refused.
     */
    public static Set<Long> uids(String set) {
        Set<Long> out = new TreeSet<>();
        for (String part : set.trim().split(",")) {
            String[] range = part.split(":", -1);
            if (range.length > 2 || part.contains("*")) {
                throw new IllegalArgumentException("not a set of UIDs: " + set);
            }
            long a = Long.parseLong(range[0]);
            long b = range.length == 2 ? Long.parseLong(range[1]) : a;
            for (long uid = Math.min(a, b); uid <= Math.max(a, b); uid++) {
                out.add(uid);
            }
        }
        return out;
    }

    /** RFC 7162 3.2.10: the UIDs of every VANISHED response of the reply, with or without (EARLIER). */
    public static final class Vanished implements ImapCheck {
        private final String saveAs;

        Vanished(String saveAs) {
            this.saveAs = saveAs;
        }

        /** Saves the UIDs (a sorted {@code Set<Long>}, empty when nothing vanished) under {@code attribute}. */
        public Vanished saveAs(String attribute) {
            return new Vanished(attribute);
        }

        @Override
        public String verify(ImapReply reply, Map<String, Object> saves) {
            Set<Long> all = new TreeSet<>();
            for (String line : reply.untagged()) {
                Matcher m = VANISHED.matcher(line);
                if (m.matches()) {
                    try {
                        all.addAll(uids(m.group(1)));
                    } catch (IllegalArgumentException e) {
                        return "malformed VANISHED: " + line;
                    }
                }
            }
            if (saveAs != null) {
                saves.put(saveAs, all);
            }
            return null;
        }
    }

    /** RFC 7162 3.1.4.1: UID -> MODSEQ of every FETCH response of the reply that carries both. */
    public static final class ModSeqs implements ImapCheck {
        private final String saveAs;

        ModSeqs(String saveAs) {
            this.saveAs = saveAs;
        }

        /** Saves a sorted {@code Map<Long, Long>} (UID to MODSEQ) under {@code attribute}. */
        public ModSeqs saveAs(String attribute) {
            return new ModSeqs(attribute);
        }

        @Override
        public String verify(ImapReply reply, Map<String, Object> saves) {
            Map<Long, Long> modSeqs = new TreeMap<>();
            for (String line : reply.untagged()) {
                Matcher f = FETCH.matcher(line);
                if (!f.matches()) {
                    continue;
                }
                Matcher uid = UID.matcher(f.group(1));
                Matcher modSeq = MODSEQ.matcher(f.group(1));
                if (uid.find() && modSeq.find()) {
                    modSeqs.put(Long.parseLong(uid.group(1)), Long.parseLong(modSeq.group(1)));
                }
            }
            if (saveAs != null) {
                saves.put(saveAs, modSeqs);
            }
            return null;
        }
    }

    /**
     * HIGHESTMODSEQ of a mailbox must not go down while its UIDVALIDITY stays: the reply's HIGHESTMODSEQ
     * (SELECT/EXAMINE response code or STATUS item) is compared with the last one seen under {@code mailbox}
     * by this virtual user, whatever the command. A new UIDVALIDITY starts over (RFC 9051 2.3.1.1). Replies
     * without HIGHESTMODSEQ (NOMODSEQ, a plain FETCH) pass and change nothing.
     */
    static final class NeverDecreases implements ImapCheck {
        private final String key;

        NeverDecreases(String mailbox) {
            this.key = "modseqproxy.imap.highestModSeq." + mailbox;
        }

        @Override
        public String verify(ImapReply reply, Map<String, Object> saves) {
            return verify(reply, name -> null, saves);
        }

        @Override
        public String verify(ImapReply reply, Function<String, Object> session, Map<String, Object> saves) {
            String uidValidity = first(UIDVALIDITY, reply);
            String highest = first(HIGHESTMODSEQ, reply);
            if (highest == null) {
                return null;
            }
            long[] before = (long[]) session.apply(key);
            long now = Long.parseLong(highest);
            long validity = uidValidity != null ? Long.parseLong(uidValidity) : before != null ? before[0] : -1;
            if (before != null && before[0] == validity && now < before[1]) {
                return "HIGHESTMODSEQ went down from " + before[1] + " to " + now + " (UIDVALIDITY " + validity + ")";
            }
            saves.put(key, new long[] {validity, now});
            return null;
        }

        private static String first(Pattern pattern, ImapReply reply) {
            for (String line : reply.lines()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m.group(1) != null ? m.group(1) : m.group(2);
                }
            }
            return null;
        }
    }
}

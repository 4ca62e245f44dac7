package org.modseqproxy.load.imap;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Searches every line of the reply (untagged responses, then the tagged completion) for a pattern.
 * By default at least one match is required; {@code saveAs} stores the first match's group 1 (or the whole
 * match if the pattern has no group) in the session, e.g. {@code imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]")
 * .saveAs("highestModSeq")} for a later {@code SELECT ... (QRESYNC (...))}.
 */
public final class RegexCheck implements ImapCheck {

    private final Pattern pattern;
    private final String saveAs;
    private final int atLeast;
    private final boolean mustBeAbsent;

    RegexCheck(Pattern pattern, String saveAs, int atLeast, boolean mustBeAbsent) {
        this.pattern = pattern;
        this.saveAs = saveAs;
        this.atLeast = atLeast;
        this.mustBeAbsent = mustBeAbsent;
    }

    /** Stores the first match in the session under {@code attribute}. */
    public RegexCheck saveAs(String attribute) {
        return new RegexCheck(pattern, attribute, atLeast, mustBeAbsent);
    }

    /** Requires at least {@code count} matches over all lines (0 makes the check optional). */
    public RegexCheck atLeast(int count) {
        return new RegexCheck(pattern, saveAs, count, false);
    }

    /** Never fails; still saves the first match when there is one. */
    public RegexCheck optional() {
        return atLeast(0);
    }

    /** Fails when the pattern matches anywhere. */
    public RegexCheck notExists() {
        return new RegexCheck(pattern, null, 0, true);
    }

    @Override
    public String verify(ImapReply reply, Map<String, Object> saves) {
        int count = 0;
        String first = null;
        for (String line : reply.lines()) {
            Matcher m = pattern.matcher(line);
            while (m.find()) {
                if (first == null) {
                    first = m.groupCount() > 0 ? m.group(1) : m.group();
                }
                count++;
            }
        }
        if (mustBeAbsent) {
            return count == 0 ? null : "/" + pattern + "/ should not match but found " + first;
        }
        if (first != null && saveAs != null) {
            saves.put(saveAs, first);
        }
        if (count < atLeast) {
            return "/" + pattern + "/ matched " + count + " time(s), expected at least " + atLeast + " (tagged: "
                    + reply.tagged() + ")";
        }
        return null;
    }
}

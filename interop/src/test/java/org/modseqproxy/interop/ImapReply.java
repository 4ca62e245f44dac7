package org.modseqproxy.interop;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server answered to one command: the lines before the tagged completion (untagged "* ..."
 * and continuation "+ ..." lines, without CRLF, literals inlined as {n}CRLF+bytes) and the tagged line.
 */
public record ImapReply(String tag, List<String> untagged, String tagged) {

    private static final Pattern CODE = Pattern.compile("^\\S+ (?:OK|NO|BAD) \\[([^\\]]*)\\]");

    public ImapReply {
        untagged = List.copyOf(untagged);
    }

    /** "OK", "NO" or "BAD". */
    public String status() {
        String[] parts = tagged.split(" ", 3);
        return parts.length > 1 ? parts[1] : "";
    }

    public boolean isOk() {
        return status().equals("OK");
    }

    /** The tagged line after "tag STATUS ", e.g. "[READ-WRITE] Select completed (0.001 + 0.000 secs)." */
    public String text() {
        String[] parts = tagged.split(" ", 3);
        return parts.length > 2 ? parts[2] : "";
    }

    /** The response code of the tagged line without brackets, e.g. "READ-WRITE", if any. */
    public Optional<String> code() {
        Matcher m = CODE.matcher(tagged);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Untagged lines starting with "* " + prefix, e.g. untagged("OK [UIDNEXT"). */
    public List<String> untagged(String prefix) {
        return untagged.stream().filter(line -> line.startsWith("* " + prefix)).toList();
    }

    /** The one untagged line starting with "* " + prefix; fails when there is none or more. */
    public String single(String prefix) {
        List<String> lines = untagged(prefix);
        if (lines.size() != 1) {
            throw new AssertionError("expected one '* " + prefix + "' line in:\n" + this);
        }
        return lines.get(0);
    }

    /** Everything, as it came over the wire, one line per response. */
    @Override
    public String toString() {
        StringBuilder all = new StringBuilder();
        untagged.forEach(line -> all.append(line).append('\n'));
        return all.append(tagged).toString();
    }
}

package org.modseqproxy.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Normalized flag set: sorted, deduplicated, {@code \Recent} removed (it is per-session, never stored nor diffed,
 * RFC 3501 2.3.2). The five system flags are spelled canonically ({@code \seen} becomes {@code \Seen}, flags are
 * case-insensitive); keywords are kept as the backend spells them.
 */
public final class Flags {

    private static final List<String> SYSTEM = List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");
    public static final Flags EMPTY = new Flags(List.of());

    private final List<String> list;
    private final String joined;

    private Flags(List<String> list) {
        this.list = list;
        this.joined = String.join(" ", list);
    }

    public static Flags of(Collection<String> flags) {
        TreeSet<String> set = new TreeSet<>();
        for (String f : flags) {
            if (f == null || f.isBlank()) {
                continue;
            }
            String flag = canonical(f.strip());
            if (!flag.equalsIgnoreCase("\\Recent")) {
                set.add(flag);
            }
        }
        return set.isEmpty() ? EMPTY : new Flags(List.copyOf(set));
    }

    public static Flags of(String... flags) {
        return of(List.of(flags));
    }

    /** Parses space-separated flags; surrounding parentheses, as in a FETCH FLAGS list, are accepted. */
    public static Flags parse(String spaceSeparated) {
        String s = spaceSeparated.strip();
        if (s.startsWith("(") && s.endsWith(")")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isBlank()) {
            return EMPTY;
        }
        List<String> parts = new ArrayList<>();
        for (String p : s.split("\\s+")) {
            parts.add(p);
        }
        return of(parts);
    }

    private static String canonical(String flag) {
        if (flag.startsWith("\\")) {
            for (String sys : SYSTEM) {
                if (sys.equalsIgnoreCase(flag)) {
                    return sys;
                }
            }
            if (flag.toLowerCase(Locale.ROOT).equals("\\recent")) {
                return "\\Recent";
            }
        }
        return flag;
    }

    public List<String> list() {
        return list;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public boolean contains(String flag) {
        return list.contains(canonical(flag));
    }

    /** IMAP flag list, e.g. {@code (\Seen foo)}. */
    public String toImap() {
        return "(" + joined + ")";
    }

    /** Space-separated form, the inverse of {@link #parse(String)}; "" for no flags. */
    @Override
    public String toString() {
        return joined;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Flags f && f.joined.equals(joined);
    }

    @Override
    public int hashCode() {
        return joined.hashCode();
    }
}

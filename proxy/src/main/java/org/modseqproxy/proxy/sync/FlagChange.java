package org.modseqproxy.proxy.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.modseqproxy.state.Flags;

/**
 * What a client's STORE does to a message's flags (RFC 9051 6.4.6): FLAGS replaces them, +FLAGS adds, -FLAGS removes.
 * Pure. The funnel uses it when the backend's answer to the STORE may be older than what another proxy instance
 * recorded meanwhile: the STORE is then applied to that newer state instead (see {@link BackendResponses}).
 */
public record FlagChange(Mode mode, Flags flags) {
    public enum Mode {
        REPLACE,
        ADD,
        REMOVE
    }

    /**
     * From a STORE's action ("FLAGS", "+FLAGS", "-FLAGS", without ".SILENT") and its flag list as written: "(\Seen
     * foo)" or a single flag.
     */
    public static FlagChange of(String action, String flagList) {
        Mode mode = switch (action.toUpperCase(Locale.ROOT)) {
            case "+FLAGS" -> Mode.ADD;
            case "-FLAGS" -> Mode.REMOVE;
            case "FLAGS" -> Mode.REPLACE;
            default -> throw new IllegalArgumentException("not a STORE action: " + action);
        };
        String list = flagList.strip();
        if (list.startsWith("(") && list.endsWith(")")) {
            list = list.substring(1, list.length() - 1);
        }
        return new FlagChange(mode, Flags.parse(list));
    }

    /** The flags of a message that had {@code current} once this STORE is applied to it. */
    public Flags applyTo(Flags current) {
        if (mode == Mode.REPLACE) {
            return flags;
        }
        List<String> result = new ArrayList<>(current.list());
        if (mode == Mode.ADD) {
            result.addAll(flags.list());
        } else {
            result.removeIf(flags::contains);
        }
        return Flags.of(result);
    }
}

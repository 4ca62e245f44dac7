package org.modseqproxy.proxy.command;

import java.util.List;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Token;

/** One client command as parsed: its tag, upper-cased name ("UID FETCH" for UID variants) and the frame it came in. */
public record Command(String tag, String name, Frame frame) {
    /** Arguments after the command name (after "UID FETCH" for UID variants). */
    public List<Token> args() {
        List<Token> t = frame.tokens();
        int skip = name.startsWith("UID ") ? 2 : 1;
        return t.size() <= skip ? List.of() : t.subList(skip, t.size());
    }

    public boolean uid() {
        return name.startsWith("UID ");
    }
}

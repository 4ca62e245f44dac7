package org.modseqproxy.load.imap;

import java.util.Map;
import java.util.function.Function;

/**
 * A condition on an {@link ImapReply}. A failed check makes the request KO in Gatling's report and marks
 * the virtual user's session as failed (so {@code exitHereIfFailed()} works).
 *
 * <p>Built with {@link Imap#status} and {@link Imap#imapRegex}; a lambda works too.
 */
@FunctionalInterface
public interface ImapCheck {

    /**
     * @param saves attributes to store in the virtual user's session (e.g. a captured HIGHESTMODSEQ)
     * @return null when the reply satisfies the check, else a short reason shown in the report
     */
    String verify(ImapReply reply, Map<String, Object> saves);

    /**
     * The same with read access to the virtual user's session, for a check that compares this reply with an
     * earlier one (see {@link Imap#highestModSeqNeverDecreases}). The action calls this one.
     *
     * @param session the session's attribute of a name, or null
     */
    default String verify(ImapReply reply, Function<String, Object> session, Map<String, Object> saves) {
        return verify(reply, saves);
    }
}

package org.modseqproxy.load.imap;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The tagged status must be one of the allowed ones. Without any status check, OK is required. */
final class StatusCheck implements ImapCheck {

    private final Set<ImapStatus> allowed;

    StatusCheck(Set<ImapStatus> allowed) {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("status() needs at least one of OK, NO, BAD");
        }
        this.allowed = EnumSet.copyOf(allowed);
    }

    @Override
    public String verify(ImapReply reply, Map<String, Object> saves) {
        if (allowed.contains(reply.status())) {
            return null;
        }
        return "expected " + (allowed.size() == 1 ? allowed.iterator().next() : allowed) + ": " + reply.tagged();
    }
}

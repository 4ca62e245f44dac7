package org.modseqproxy.state;

import java.util.Objects;

/**
 * Identifies a mailbox's state: backend id, user, mailbox name (as the backend spells it, e.g. "INBOX",
 * "INBOX.Sent"). The backend's UIDVALIDITY is passed separately to each store call.
 */
public record MailboxId(String backend, String user, String mailbox) {

    public MailboxId {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(mailbox, "mailbox");
    }

    /**
     * Hash-tag content for Redis, e.g. {@code b1:alice:INBOX}. Each part is escaped ('%', ':', '{', '}' become
     * %XX) so that the tag never contains a brace (Redis Cluster would cut the tag there) and two different ids
     * never give the same tag.
     */
    public String tag() {
        return escape(backend) + ':' + escape(user) + ':' + escape(mailbox);
    }

    private static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == ':' || c == '{' || c == '}') {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}

package org.modseqproxy.proxy.command;

import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.Token;

/**
 * The arguments of STATUS (RFC 9051 6.3.11) with the HIGHESTMODSEQ item (RFC 7162 3.1.6): {@code mailbox (items)}.
 * Pure.
 *
 * @param items the item names, upper-cased, in the client's order
 */
public record StatusArgs(String mailbox, List<String> items) {
    static StatusArgs parse(List<Token> args) {
        if (args.size() != 2 || args.get(0).stringValue() == null || !(args.get(1) instanceof Token.ListTok list)) {
            throw ImapException.bad("STATUS expects a mailbox and a list of items");
        }
        List<String> items = new ArrayList<>();
        for (Token t : list.items()) {
            String name = Args.upper(t);
            if (name == null) {
                throw ImapException.bad("Invalid STATUS item");
            }
            items.add(name);
        }
        return new StatusArgs(args.get(0).stringValue(), List.copyOf(items));
    }

    /** STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command (RFC 7162 3.1); without it STATUS passes through. */
    boolean highestModSeq() {
        return items.contains("HIGHESTMODSEQ");
    }
}

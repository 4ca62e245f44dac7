package org.modseqproxy.proxy.command;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.UidSet;

/** Small pure helpers shared by the command files: token tests, re-serialization, sequence sets against the view. */
final class Args {
  private Args() {}

  static boolean isAtom(Token t, String value) {
    return t instanceof Token.Atom a && a.value().equalsIgnoreCase(value);
  }

  static String upper(Token t) {
    String s = t.stringValue();
    return s == null ? null : s.toUpperCase(Locale.ROOT);
  }

  static long number(Token t, String what) {
    if (t instanceof Token.Atom a) {
      try {
        long n = Long.parseLong(a.value());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw ImapException.bad("Invalid " + what);
  }

  /** Writes tokens back as IMAP (literals become literals again; the backend writer re-announces them). */
  static String serialize(List<Token> tokens) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      append(sb, tokens.get(i));
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, Token t) {
    if (t instanceof Token.Atom a) {
      sb.append(a.value());
    } else if (t instanceof Token.Quoted q) {
      sb.append(ImapEncoder.quoted(q.value()));
    } else if (t instanceof Token.Literal l) {
      String s = l.data().toString(StandardCharsets.UTF_8);
      sb.append('{').append(l.data().length()).append("}\r\n").append(s);
    } else if (t instanceof Token.ListTok list) {
      sb.append('(').append(serialize(list.items())).append(')');
    } else {
      throw ImapException.bad("Argument too large");
    }
  }

  /**
   * The UIDs a client's set names in the current view: a UID set for UID commands (RFC 9051 6.4.9: '*' is the
   * highest UID), a sequence set otherwise (mapped through the view).
   */
  static UidSet uids(SelectedMailbox mb, String set, boolean uid) {
    try {
      if (uid) {
        return UidSet.parse(set, Math.max(1, mb.lastKnownUid()));
      }
      UidSet seqs = UidSet.parse(set, Math.max(1, mb.size()));
      UidSet.Builder b = new UidSet.Builder();
      seqs.stream().forEach(seq -> {
        long u = mb.uidOf(seq);
        if (u > 0) {
          b.add(u);
        }
      });
      return b.build();
    } catch (RuntimeException e) {
      throw ImapException.bad("Invalid sequence set");
    }
  }
}

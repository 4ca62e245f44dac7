package org.modseqproxy.proxy.command;

import static org.modseqproxy.proxy.command.SessionState.AUTHENTICATED;
import static org.modseqproxy.proxy.command.SessionState.NOT_AUTHENTICATED;
import static org.modseqproxy.proxy.command.SessionState.SELECTED;

import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one table of commands the proxy understands (STYLE practice 3): name, the states it is valid in (RFC 9051 6),
 * and its handler. Any other command, once authenticated, passes through to the backend unchanged, so extensions
 * the proxy knows nothing about keep working.
 */
public final class CommandRegistry {
    private static final Set<SessionState> ANY = EnumSet.of(NOT_AUTHENTICATED, AUTHENTICATED, SELECTED);
    private static final Set<SessionState> PRE_AUTH = EnumSet.of(NOT_AUTHENTICATED);
    private static final Set<SessionState> AUTH = EnumSet.of(AUTHENTICATED, SELECTED);
    private static final Set<SessionState> SEL = EnumSet.of(SELECTED);
    private static final Set<Trait> NATIVE = EnumSet.of(Trait.ANNOUNCE_FIRST, Trait.NATIVE_PASS_THROUGH);

    /** How the shell treats a command besides its states. */
    public enum Trait {
        /**
         * In the selected state, messages the backend announced are told to the client (with their UIDs) before the
         * command runs, so its answer covers them as a native server's would. Not IDLE, which announces them itself
         * in its cycle, nor LOGOUT.
         */
        ANNOUNCE_FIRST,
        /**
         * In a mailbox whose mod-sequences the backend keeps itself (it answered HIGHESTMODSEQ at SELECT), the
         * command goes to the backend as written: its MODSEQ, VANISHED and HIGHESTMODSEQ are the real ones.
         */
        NATIVE_PASS_THROUGH
    }

    public record Entry(String name, Set<SessionState> states, CommandHandler handler, Set<Trait> traits) {}

    private static final Map<String, Entry> TABLE = new LinkedHashMap<>();

    static {
        // any state (RFC 9051 6.1)
        add("CAPABILITY", ANY, Capability::handle);
        add("NOOP", ANY, Noop::handle);
        add("LOGOUT", ANY, Logout::handle, EnumSet.noneOf(Trait.class));
        add("ID", ANY, Id::handle); // RFC 2971
        // not authenticated (RFC 9051 6.2)
        add("STARTTLS", PRE_AUTH, StartTls::handle);
        add("LOGIN", PRE_AUTH, Login::handle);
        add("AUTHENTICATE", PRE_AUTH, Authenticate::handle);
        // authenticated
        add("ENABLE", AUTH, Enable::handle); // RFC 5161
        add("COMPRESS", AUTH, Compress::handle, EnumSet.noneOf(Trait.class)); // RFC 4978
        add("IDLE", AUTH, Idle::handle, EnumSet.noneOf(Trait.class)); // RFC 2177
        add("SELECT", AUTH, Select::handle);
        add("EXAMINE", AUTH, Select::handle);
        add("STATUS", AUTH, Status::handle);
        add("RENAME", AUTH, Rename::handle);
        add("DELETE", AUTH, Delete::handle);
        // selected (RFC 9051 6.4)
        add("FETCH", SEL, Fetch::handle, NATIVE);
        add("UID FETCH", SEL, Fetch::handle, NATIVE);
        add("STORE", SEL, Store::handle, NATIVE);
        add("UID STORE", SEL, Store::handle, NATIVE);
        add("SEARCH", SEL, Search::handle, NATIVE);
        add("UID SEARCH", SEL, Search::handle, NATIVE);
        add("EXPUNGE", SEL, Expunge::handle, NATIVE);
        add("UID EXPUNGE", SEL, Expunge::handle, NATIVE); // RFC 4315
        add("MOVE", SEL, Expunge::handle, NATIVE); // RFC 6851: reported like expunges
        add("UID MOVE", SEL, Expunge::handle, NATIVE);
        add("CANCELUPDATE", SEL, CancelUpdate::handle); // RFC 5267 4.3
        add("CLOSE", SEL, Close::handle);
        add("UNSELECT", SEL, Close::handle); // RFC 3691
    }

    private CommandRegistry() {}

    private static void add(String name, Set<SessionState> states, CommandHandler handler) {
        add(name, states, handler, EnumSet.of(Trait.ANNOUNCE_FIRST));
    }

    private static void add(String name, Set<SessionState> states, CommandHandler handler, Set<Trait> traits) {
        TABLE.put(name, new Entry(name, states, handler, traits));
    }

    public static Map<String, Entry> table() {
        return TABLE;
    }

    /** Whether new messages are announced before this command ({@link Trait#ANNOUNCE_FIRST}); unknown ones: yes. */
    public static boolean announceFirst(String name) {
        Entry e = TABLE.get(name);
        return e == null || e.traits().contains(Trait.ANNOUNCE_FIRST);
    }

    public static Future<Void> dispatch(Command cmd, Session session) {
        Entry e = TABLE.get(cmd.name());
        SessionState state = session.state();
        if (e == null) {
            if (state == NOT_AUTHENTICATED) {
                return Future.failedFuture(ImapException.bad("Command unknown or not valid before authentication"));
            }
            return PassThrough.handle(cmd, session);
        }
        if (!e.states().contains(state)) {
            return Future.failedFuture(ImapException.bad(cmd.name() + " not valid in this state"));
        }
        if (e.traits().contains(Trait.NATIVE_PASS_THROUGH) && session.sync().nativeSelected()) {
            return PassThrough.handle(cmd, session);
        }
        return e.handler().handle(cmd, session);
    }
}

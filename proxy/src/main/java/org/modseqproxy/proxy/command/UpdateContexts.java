package org.modseqproxy.proxy.command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modseqproxy.proxy.codec.Token;

/**
 * The searches whose results the backend keeps updating (RFC 5267 CONTEXT=SEARCH and CONTEXT=SORT, RETURN (UPDATE)):
 * their later {@code * ESEARCH (TAG "p7") ADDTO ...} lines name the proxy's backend tag, long after the command ended,
 * and CANCELUPDATE names the client's. This maps one to the other, per session. Bounded: a client that opens more
 * contexts than {@link #LIMIT} without cancelling them loses the oldest mapping (Dovecot limits contexts too).
 */
public final class UpdateContexts {
    static final int LIMIT = 64;

    /** backend tag -> client tag, oldest first. */
    private final Map<String, String> byBackendTag = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > LIMIT;
        }
    };

    /** Whether a SEARCH/SORT asks for updates: RETURN (... UPDATE ...) among its arguments (RFC 5267 4.1). */
    public static boolean wantsUpdates(List<Token> args) {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (Args.isAtom(args.get(i), "RETURN") && args.get(i + 1) instanceof Token.ListTok options) {
                return options.items().stream().anyMatch(t -> Args.isAtom(t, "UPDATE"));
            }
        }
        return false;
    }

    /** The backend accepted the search (tagged OK): its updates will carry {@code backendTag}. */
    public void opened(String backendTag, String clientTag) {
        byBackendTag.put(backendTag, clientTag);
    }

    /** The client's tag for a backend correlator, or null when it names no open context. */
    public String clientTag(String backendTag) {
        return byBackendTag.get(backendTag);
    }

    /** The backend tag of the newest context the client opened under {@code clientTag}, or null. */
    public String backendTag(String clientTag) {
        String found = null;
        for (Map.Entry<String, String> e : byBackendTag.entrySet()) {
            if (e.getValue().equals(clientTag)) {
                found = e.getKey();
            }
        }
        return found;
    }

    /** CANCELUPDATE succeeded for these backend tags (RFC 5267 4.3): their updates stop. */
    public void cancelled(List<String> backendTags) {
        backendTags.forEach(byBackendTag::remove);
    }
}

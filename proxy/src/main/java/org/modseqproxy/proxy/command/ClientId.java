package org.modseqproxy.proxy.command;

import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.ImapEncoder;

/**
 * Who the client is, as far as the backend's ID command hears of it (RFC 2971): the fields the client sent, and its
 * address when {@code id.forwardClientAddress} is on (as Dovecot's proxy sends {@code x-originating-ip}).
 */
public final class ClientId {
    private final boolean forwardAddress;
    private final String ip;
    private final int port;
    /** An ID the client sent before login, for the backend once it can take it. */
    private List<String> fields = List.of();

    public ClientId(boolean forwardAddress, SocketAddress remote) {
        this.forwardAddress = forwardAddress;
        this.ip = remote == null ? "unknown" : remote.hostAddress();
        this.port = remote == null ? 0 : remote.port();
    }

    public boolean forwardAddress() {
        return forwardAddress;
    }

    public String ip() {
        return ip;
    }

    public int port() {
        return port;
    }

    public void remember(List<String> clientFields) {
        fields = List.copyOf(clientFields);
    }

    public List<String> remembered() {
        return fields;
    }

    /** The ID parameter list for the backend: {@code fields}, then the client's address if forwarded; NIL if none. */
    public String list(List<String> clientFields) {
        List<String> all = new ArrayList<>(clientFields);
        if (forwardAddress) {
            all.addAll(List.of("x-originating-ip", ip, "x-originating-port", String.valueOf(port)));
        }
        if (all.isEmpty()) {
            return "NIL";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < all.size(); i++) {
            sb.append(i == 0 ? "" : " ").append(all.get(i) == null ? "NIL" : ImapEncoder.quoted(all.get(i)));
        }
        return sb.append(')').toString();
    }
}

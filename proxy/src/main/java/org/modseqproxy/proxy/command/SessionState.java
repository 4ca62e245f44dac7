package org.modseqproxy.proxy.command;

/** RFC 9051 3: the connection states a command can be valid in. */
public enum SessionState {
    NOT_AUTHENTICATED,
    AUTHENTICATED,
    SELECTED,
    LOGOUT
}

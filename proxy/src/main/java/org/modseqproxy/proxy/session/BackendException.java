package org.modseqproxy.proxy.session;

/** The backend refused, dropped, stalled or spoke nonsense. The message is safe to show a client in a BYE. */
public final class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message, null, false, false);
    }
}

package org.modseqproxy.state;

/**
 * The store cannot be used right now (Redis unreachable, timed out, circuit open, or state switched off). The proxy
 * answers NOMODSEQ for the mailbox (RFC 7162 3.1.2.2) instead of failing the client's command.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

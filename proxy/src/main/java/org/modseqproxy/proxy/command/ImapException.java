package org.modseqproxy.proxy.command;

/**
 * A typed failure of one command, mapped to the client's tagged answer in one place (the session): status is NO,
 * BAD or BYE, code an optional response code without brackets (e.g. "TOOBIG", "NOMODSEQ").
 */
public final class ImapException extends RuntimeException {
    private final String status;
    private final String code;

    private ImapException(String status, String code, String text) {
        super(text, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ImapException bad(String text) {
        return new ImapException("BAD", null, text);
    }

    public static ImapException bad(String code, String text) {
        return new ImapException("BAD", code, text);
    }

    public static ImapException no(String text) {
        return new ImapException("NO", null, text);
    }

    public static ImapException no(String code, String text) {
        return new ImapException("NO", code, text);
    }

    public String status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** "BAD [CODE] text" */
    public String line() {
        return status + (code == null ? "" : " [" + code + "]") + " " + getMessage();
    }
}

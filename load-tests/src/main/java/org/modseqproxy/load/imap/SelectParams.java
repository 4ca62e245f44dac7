package org.modseqproxy.load.imap;

/**
 * The SELECT/EXAMINE parameters of RFC 7162: {@code (CONDSTORE)} (3.1.8) or
 * {@code (QRESYNC (uidvalidity modseq [known-uids]))} (3.2.5). Values are Gatling EL strings, e.g.
 * {@code qresync("#{uidValidity}", "#{highestModSeq}")}.
 */
public final class SelectParams {

    private final String el;

    private SelectParams(String el) {
        this.el = el;
    }

    static SelectParams condstore() {
        return new SelectParams("(CONDSTORE)");
    }

    static SelectParams qresync(String uidValidity, String modSeq) {
        return new SelectParams("(QRESYNC (" + uidValidity + " " + modSeq + "))");
    }

    static SelectParams qresync(String uidValidity, String modSeq, String knownUids) {
        return new SelectParams("(QRESYNC (" + uidValidity + " " + modSeq + " " + knownUids + "))");
    }

    String el() {
        return el;
    }
}

package org.modseqproxy.interop;

import java.util.Optional;

/** The real servers the interop suite can start. */
public enum Backend {
    COURIER,
    DOVECOT;

    /** Empty when this backend can be started on this machine, else why not. */
    Optional<String> missing() {
        return this == COURIER ? BackendInstall.courierMissing() : BackendInstall.dovecotMissing();
    }
}

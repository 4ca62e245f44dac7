package org.modseqproxy.interop;

import java.util.Optional;

/** The real servers the interop suite can start. */
public enum Backend {
    COURIER,
    DOVECOT,
    /** Not a store: Debian's HAProxy, the TCP load balancer in front of several proxy instances. */
    HAPROXY;

    /** Empty when this backend can be started on this machine, else why not. */
    Optional<String> missing() {
        return switch (this) {
            case COURIER -> BackendInstall.courierMissing();
            case DOVECOT -> BackendInstall.dovecotMissing();
            case HAPROXY -> HaproxyBalancer.missing();
        };
    }
}

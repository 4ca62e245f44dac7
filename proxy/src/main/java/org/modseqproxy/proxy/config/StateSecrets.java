package org.modseqproxy.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;

/** The state store's secrets and TLS files (state.username/password/passwordFile, state.sentinel.*, state.tls.*). */
final class StateSecrets {
    private final ConfigLoader c;

    StateSecrets(ConfigLoader c) {
        this.c = c;
    }

    /** state.username + state.password (or state.passwordFile): the Redis login, kept out of the store URI. */
    StoreOptions.Credentials redisLogin() {
        String store = c.required("state.store");
        StoreOptions.Credentials login = login("state.");
        if (login.isNone()) {
            return login;
        }
        String key = c.str("state.passwordFile") != null ? "state.passwordFile" : "state.password";
        if (!store.startsWith("redis")) {
            throw new ConfigException(key + " is set, but state.store '" + store + "' is not Redis");
        }
        if (ModSeqStores.hasUserInfo(store)) {
            // two places for one secret: refuse rather than pick one silently
            throw new ConfigException(
                    key + " is set, but state.store carries a login too (user:pass@); give it in one place");
        }
        return login;
    }

    /**
     * state.sentinel.username + state.sentinel.password (or passwordFile): the sentinels' own login (their requirepass
     * or an ACL user on them). A Sentinel URI's user:pass@, like state.username/password, is the data nodes' login.
     */
    StoreOptions.Credentials sentinelLogin() {
        StoreOptions.Credentials login = login("state.sentinel.");
        String store = c.required("state.store");
        if (!login.isNone() && !store.startsWith("redis-sentinel://") && !store.startsWith("rediss-sentinel://")) {
            throw new ConfigException("state.sentinel.* is set, but state.store is not a Sentinel URI"
                    + " (redis-sentinel://, rediss-sentinel://)");
        }
        return login;
    }

    /** prefix + username, password, passwordFile: one login; NONE when no password is given. */
    StoreOptions.Credentials login(String prefix) {
        String user = c.str(prefix + "username");
        String password = c.rawStr(prefix + "password");
        String file = c.str(prefix + "passwordFile");
        if (password != null && file != null) {
            throw new ConfigException(prefix + "password and " + prefix + "passwordFile: give one of them, not both");
        }
        if (file != null) {
            password = readPasswordFile(prefix + "passwordFile", file);
        }
        if (password == null) {
            if (user != null) {
                throw new ConfigException(
                        prefix + "username needs " + prefix + "password or " + prefix + "passwordFile");
            }
            return StoreOptions.Credentials.NONE;
        }
        return new StoreOptions.Credentials(user, password);
    }

    /** A secret file (Docker/Kubernetes secret): its content without the trailing line break. */
    static String readPasswordFile(String key, String file) {
        String s;
        try {
            s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key + ": cannot read " + file);
        }
        s = s.replaceAll("[\\r\\n]+$", "");
        if (s.isEmpty()) {
            throw new ConfigException(key + ": " + file + " is empty");
        }
        return s;
    }

    /** state.tls.*: PEM files for rediss:// (a private CA; a client certificate for mutual TLS). */
    StoreOptions.Tls redisTls() {
        Path ca = readableFile("state.tls.caFile");
        Path cert = readableFile("state.tls.certFile");
        Path key = readableFile("state.tls.keyFile");
        if ((cert == null) != (key == null)) {
            throw new ConfigException("state.tls: state.tls.certFile and state.tls.keyFile go together");
        }
        if (ca == null && cert == null) {
            return StoreOptions.Tls.DEFAULT;
        }
        String store = c.required("state.store");
        if (!store.startsWith("rediss")) {
            throw new ConfigException("state.tls." + (ca != null ? "caFile" : "certFile")
                    + " is set, but state.store does not use TLS (rediss://, rediss-cluster://, rediss-sentinel://)");
        }
        return new StoreOptions.Tls(ca, cert, key);
    }

    private Path readableFile(String key) {
        String f = c.str(key);
        if (f == null) {
            return null;
        }
        Path p = Path.of(f);
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new ConfigException(key + ": cannot read " + f);
        }
        return p;
    }
}

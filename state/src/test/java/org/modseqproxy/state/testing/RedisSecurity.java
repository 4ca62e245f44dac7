package org.modseqproxy.state.testing;

import java.util.Arrays;
import java.util.List;

/**
 * How a test {@link RedisServerFixture} is secured. {@link #NONE}: plain TCP, no password (what most tests use).
 *
 * <pre>
 * RedisSecurity.tls(TestCertificates.loopback())                 // TLS only port, any client may connect
 *     .withClientCertRequired()                                  // mutual TLS (tls-auth-clients yes)
 *     .withUser("alice", "secret", "~ms:* +@all -@dangerous +info");   // ACL user; the "default" user is disabled
 * RedisSecurity.NONE.withRequirePass("pw");                      // classic requirepass (AUTH pw)
 * </pre>
 *
 * @param tls                certificates for {@code --tls-port} (no plain port is opened at all), or null
 * @param clientCertRequired {@code --tls-auth-clients yes} instead of {@code no}
 * @param user               ACL user the application logs in as (with {@code password} and {@code userRules}), or null
 * @param requirePass        password of the {@code default} user ({@code --requirepass}), or null
 */
public record RedisSecurity(
        TestCertificates tls,
        boolean clientCertRequired,
        String user,
        String password,
        String userRules,
        String requirePass) {

    public static final RedisSecurity NONE = new RedisSecurity(null, false, null, null, null, null);

    public RedisSecurity {
        if (user != null && requirePass != null) {
            throw new IllegalArgumentException("an ACL user or requirepass, not both");
        }
        if (clientCertRequired && tls == null) {
            throw new IllegalArgumentException("client certificates need TLS");
        }
    }

    public static RedisSecurity tls(TestCertificates certs) {
        return new RedisSecurity(certs, false, null, null, null, null);
    }

    public RedisSecurity withClientCertRequired() {
        return new RedisSecurity(tls, true, user, password, userRules, requirePass);
    }

    /** An ACL user with every right ({@code ~* &* +@all}). */
    public RedisSecurity withUser(String name, String pass) {
        return withUser(name, pass, "~* &* +@all");
    }

    /** An ACL user with the given rules (space separated, as after {@code ACL SETUSER name on >pass}). */
    public RedisSecurity withUser(String name, String pass, String rules) {
        return new RedisSecurity(tls, clientCertRequired, name, pass, rules, null);
    }

    public RedisSecurity withRequirePass(String pass) {
        return new RedisSecurity(tls, clientCertRequired, null, null, null, pass);
    }

    List<String> userRuleList() {
        return Arrays.asList(userRules.trim().split("\\s+"));
    }

    /** {@code user:pass@}, {@code :pass@} or "" : the userinfo part of a URI for the application's login. */
    String userInfo() {
        if (user != null) {
            return user + ":" + password + "@";
        }
        return requirePass != null ? ":" + requirePass + "@" : "";
    }
}

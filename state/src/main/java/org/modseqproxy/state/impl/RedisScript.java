package org.modseqproxy.state.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** One Lua script of the Redis store: common.lua + its own body, with the SHA-1 that EVALSHA needs. */
enum RedisScript {
    APPLY("apply.lua"),
    LOAD("load.lua"),
    CHECK("check.lua"),
    VANISHED("vanished.lua"),
    COUNTER("counter.lua"),
    RESERVE("reserve.lua"),
    RELEASE("release.lua"),
    LISTED("listed.lua"),
    WIPE("wipe.lua");

    final String source;
    final String sha;

    RedisScript(String file) {
        this.source = resource("common.lua") + "\n" + resource(file);
        this.sha = sha1(source);
    }

    private static String resource(String name) {
        try (InputStream in = RedisScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

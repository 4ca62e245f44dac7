package org.modseqproxy.proxy.config;

/** "host:port" as written in the config file; "[::1]:143" for IPv6. */
public record HostPort(String host, int port) {
    public static HostPort parse(String key, String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new ConfigException(key + ": '" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": port in '" + text + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key + ": port " + port + " is out of range");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

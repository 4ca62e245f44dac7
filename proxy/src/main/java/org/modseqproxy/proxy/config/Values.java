package org.modseqproxy.proxy.config;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Converts one raw config value (a YAML scalar, an environment string or a {@code --set} string) to its type. Every
 * error names the key, so a bad value in any layer says where to look.
 */
final class Values {
    private Values() {}

    static boolean bool(String key, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (String.valueOf(v).trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key + ": '" + v + "' is not true/false");
        };
    }

    /** An int no smaller than {@code min}; {@code min} is 0 or 1 for every key we have. */
    static int intAtLeast(String key, Object v, int min) {
        int n;
        try {
            n = v instanceof Number num
                    ? num.intValue()
                    : Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + v + "' is not a number");
        }
        if (n < min) {
            throw new ConfigException(key + (min == 0 ? " must be 0 or more" : " must be positive") + ", got " + n);
        }
        return n;
    }

    static <E extends Enum<E>> E enumOf(String key, Object v, Class<E> type) {
        try {
            return Enum.valueOf(type, String.valueOf(v).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigException(key + ": '" + v + "' is not one of " + names);
        }
    }

    /** A YAML list, or a comma-separated string from the environment or {@code --set}. */
    static List<String> list(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        } else {
            for (String part : String.valueOf(v).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The known key closest to a mistyped one, or null when none is close enough to be a typo (more than a third
     * of its letters off). Case is ignored: {@code backend.connecttimeout} still finds its key.
     */
    static String closest(String typo, Collection<String> known) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String lower = typo.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance.apply(lower, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, typo.length() / 3) ? best : null;
    }

    /** The default instance id: the host name as the OS knows it (HOSTNAME in containers), else "modseq-proxy". */
    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "modseq-proxy";
        }
    }
}

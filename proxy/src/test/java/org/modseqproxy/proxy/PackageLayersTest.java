package org.modseqproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering ARCHITECTURE.md draws for proxy/src/main: each package imports only from the packages below it, so
 * there is no import circle (issue 11). Read from the sources, so a new import that breaks it fails here.
 */
class PackageLayersTest {
    /** Bottom to top; a package may import the ones before it. */
    private static final List<String> LAYERS =
            List.of("codec", "config", "log", "sync", "command", "session", "launcher");

    /** An import, or a fully-qualified name in the code: both make a dependency. */
    private static final Pattern USE = Pattern.compile("org\\.modseqproxy\\.proxy\\.([a-z]+)\\.[A-Za-z]");

    private static final Pattern PACKAGE_LINE = Pattern.compile("(?m)^package .*$");

    @Test
    void everyPackageImportsOnlyFromTheLayersBelowIt() throws IOException {
        Map<String, Set<String>> imports = imports(Path.of("src/main/java/org/modseqproxy/proxy"));
        assertThat(imports.keySet()).as("packages of proxy/src/main").containsExactlyInAnyOrderElementsOf(LAYERS);
        List<String> upward = new ArrayList<>();
        imports.forEach((from, targets) -> targets.forEach(to -> {
            if (LAYERS.indexOf(to) >= LAYERS.indexOf(from)) {
                upward.add(from + " -> " + to);
            }
        }));
        assertThat(upward).as("imports of a package at the same level or above").isEmpty();
    }

    @Test
    void theCheckSeesAnUpwardImport() {
        // a circle command <-> sync, as issue 11 found it, written as sources: the reader must report it
        Map<String, Set<String>> found = new TreeMap<>();
        read(found, "sync", "package org.modseqproxy.proxy.sync;\nimport org.modseqproxy.proxy.command.Session;\n");
        read(found, "codec", "package org.modseqproxy.proxy.codec;\nclass A { org.modseqproxy.proxy.sync.Echo e; }\n");
        assertThat(found).containsEntry("sync", Set.of("command")).containsEntry("codec", Set.of("sync"));
        assertThat(LAYERS.indexOf("command")).isGreaterThan(LAYERS.indexOf("sync"));
    }

    private static Map<String, Set<String>> imports(Path root) throws IOException {
        Map<String, Set<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                read(found, pkg, Files.readString(f));
            }
        }
        return found;
    }

    private static void read(Map<String, Set<String>> found, String pkg, String source) {
        Set<String> targets = found.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = USE.matcher(PACKAGE_LINE.matcher(source).replaceFirst(""));
        while (m.find()) {
            if (!m.group(1).equals(pkg)) {
                targets.add(m.group(1));
            }
        }
    }
}

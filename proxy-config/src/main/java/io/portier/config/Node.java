package io.portier.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one way the loader reads config: an object of the merged tree plus where it is. Every key read is
 * recorded under its template path (a listener's {@code limits} reads as
 * {@code portier.listener-defaults.limits}), so a test can pin that reference.conf has every key the
 * code reads. A value that does not fit is reported to {@link Problems} and a harmless stand-in is
 * returned, so that reading goes on and every problem is found.
 */
final class Node {
    private final Problems problems;
    private final Set<String> reads;
    private final String path;
    private final String template;
    private final List<Object> at;
    private final ConfigObject values;

    Node(Problems problems, Set<String> reads, String path, String template, List<Object> at, ConfigObject values) {
        this.problems = problems;
        this.reads = reads;
        this.path = path;
        this.template = template;
        this.at = List.copyOf(at);
        this.values = values;
    }

    String path() {
        return path;
    }

    String path(String key) {
        return path + "." + Show.key(key);
    }

    List<Object> at(Object... more) {
        List<Object> out = new ArrayList<>(at);
        Collections.addAll(out, more);
        return out;
    }

    /** The raw value, or null when absent. */
    ConfigValue value(String key) {
        reads.add(template + "." + key);
        return values.get(key);
    }

    /** Whether the user wrote this key (as opposed to it coming from reference.conf or a template). */
    boolean isSetByUser(String key) {
        return problems.userHas(at(key));
    }

    <T> T read(String key, Function<ConfigValue, T> parser, T standIn) {
        ConfigValue v = value(key);
        try {
            return parser.apply(v);
        } catch (Rejected r) {
            problems.add(v, at(key), path(key), Show.value(v) + " (expected: " + r.expected + ")");
            return standIn;
        }
    }

    void problem(String key, String message) {
        problems.add(at(key), path(key), message);
    }

    void problemAt(String key, int index, String message) {
        problems.add(at(key, index), path(key) + "[" + index + "]", message);
    }

    /** A problem about this node itself (its path, its line). */
    void problem(String message) {
        problems.add(at, path, message);
    }

    int integer(String key, int min, int max) {
        return (int) (long) read(key, v -> Scalars.integer(v, min, max), (long) min);
    }

    long limit(String key) {
        return read(key, Limits::count, LimitsConfig.UNLIMITED);
    }

    long size(String key) {
        return read(key, Limits::size, LimitsConfig.UNLIMITED);
    }

    Duration duration(String key, boolean zeroAllowed) {
        return read(key, v -> Durations.read(v, zeroAllowed), Duration.ofSeconds(1));
    }

    boolean bool(String key) {
        return read(key, Scalars::bool, false);
    }

    String string(String key) {
        return read(key, Scalars::string, "");
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) {
        return read(key, v -> Scalars.choice(v, type), type.getEnumConstants()[0]);
    }

    /** One parsed element of a string-or-list value; index is -1 when the value was a single string. */
    record Element<T>(T value, int index) {}

    /** A string or a list of strings, parsed one by one; each bad element is its own problem. */
    <T> List<Element<T>> stringOrList(String key, Function<String, T> parser) {
        ConfigValue v = value(key);
        List<Element<T>> out = new ArrayList<>();
        if (v != null && v.valueType() == ConfigValueType.LIST) {
            ConfigList list = (ConfigList) v;
            for (int i = 0; i < list.size(); i++) {
                ConfigValue e = list.get(i);
                try {
                    out.add(new Element<>(parser.apply(Scalars.string(e)), i));
                } catch (Rejected r) {
                    problems.add(e, at(key, i), path(key) + "[" + i + "]",
                            Show.value(e) + " (expected: " + r.expected + ")");
                }
            }
            return out;
        }
        try {
            out.add(new Element<>(parser.apply(Scalars.string(v)), -1));
        } catch (Rejected r) {
            problems.add(v, at(key), path(key), Show.value(v) + " (expected: " + r.expected + ")");
        }
        return out;
    }

    /** Reports a problem on one element of a string-or-list value. */
    void problem(String key, Element<?> element, String message) {
        if (element.index() < 0) {
            problem(key, message);
        } else {
            problemAt(key, element.index(), message);
        }
    }

    /** A nested object of the same entry (limits, timeouts, ...). */
    Node child(String key) {
        ConfigValue v = value(key);
        if (v instanceof ConfigObject o) {
            return new Node(problems, reads, path(key), template + "." + key, at(key), o);
        }
        problem(key, Show.value(v) + " (expected: an object)");
        return new Node(problems.muted(), reads, path(key), template + "." + key, at(key), empty());
    }

    /**
     * The entries of a map keyed by user-chosen names (listeners, pools), each merged over its template,
     * in file order.
     */
    Map<String, Node> entries(String key, ConfigObject defaults, String templatePath) {
        ConfigValue v = value(key);
        Map<String, Node> out = new LinkedHashMap<>();
        if (!(v instanceof ConfigObject map)) {
            problem(key, Show.value(v) + " (expected: an object of named entries)");
            return out;
        }
        List<String> names = new ArrayList<>(map.keySet());
        names.sort(Comparator.comparingInt((String n) -> lineOf(at(key, n))).thenComparing(n -> n));
        for (String name : names) {
            ConfigValue entry = map.get(name);
            String entryPath = path(key) + "." + Show.key(name);
            if (entry instanceof ConfigObject o) {
                out.put(name, new Node(problems, reads, entryPath, templatePath, at(key, name),
                        o.withFallback(defaults)));
            } else {
                problems.add(at(key, name), entryPath, Show.value(entry) + " (expected: an object)");
            }
        }
        return out;
    }

    /** The elements of a list of objects (servers), each merged over its template; null when not a list. */
    List<Node> elements(String key, ConfigObject defaults, String templatePath) {
        ConfigValue v = value(key);
        if (!(v instanceof ConfigList list)) {
            problem(key, Show.value(v) + " (expected: a list of objects)");
            return null;
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue e = list.get(i);
            String elementPath = path(key) + "[" + i + "]";
            if (e instanceof ConfigObject o) {
                out.add(new Node(problems, reads, elementPath, templatePath, at(key, i), o.withFallback(defaults)));
            } else {
                problems.add(at(key, i), elementPath, Show.value(e) + " (expected: an object)");
            }
        }
        return out;
    }

    /**
     * A template object such as listener-defaults, as merged from reference.conf and the user's file;
     * null (after reporting it) when the user replaced it with something else.
     */
    ConfigObject template(String key) {
        ConfigValue v = value(key);
        if (v instanceof ConfigObject o) {
            return o;
        }
        problems.add(v, at(key), path(key), Show.value(v) + " (expected: an object)");
        return null;
    }

    private int lineOf(List<Object> location) {
        var origin = problems.locate(location);
        return origin == null ? Integer.MAX_VALUE : origin.lineNumber();
    }

    private static ConfigObject empty() {
        return ConfigValueFactory.fromMap(Map.of());
    }
}

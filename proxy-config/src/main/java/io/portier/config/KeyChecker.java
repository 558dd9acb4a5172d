package io.portier.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reports every key under {@code portier} that reference.conf does not know, with a did-you-mean when a
 * known key is within edit distance 2. Entries of {@code listeners} and {@code pools} are checked against
 * their templates, and so are the elements of a pool's {@code servers}. Keys outside {@code portier} are
 * left alone: they are the user's own, e.g. values for substitutions.
 */
final class KeyChecker {
    private final ConfigObject reference;
    private final Problems problems;

    /** @param reference the {@code portier} object of reference.conf alone */
    KeyChecker(ConfigObject reference, Problems problems) {
        this.reference = reference;
        this.problems = problems;
    }

    /** @param portier the merged {@code portier} object */
    void check(ConfigObject portier) {
        List<Object> at = new ArrayList<>(List.of("portier"));
        for (String key : portier.keySet()) {
            ConfigValue v = portier.get(key);
            List<Object> here = append(at, key);
            String path = "portier." + Show.key(key);
            if (key.equals("listeners") && v instanceof ConfigObject map) {
                entries(map, (ConfigObject) reference.get("listener-defaults"), here, path);
            } else if (key.equals("pools") && v instanceof ConfigObject map) {
                for (String name : map.keySet()) {
                    if (map.get(name) instanceof ConfigObject pool) {
                        pool(pool, append(here, name), path + "." + Show.key(name));
                    }
                }
            } else {
                known(key, v, reference, here, path);
            }
        }
    }

    private void entries(ConfigObject map, ConfigObject template, List<Object> at, String path) {
        for (String name : map.keySet()) {
            if (map.get(name) instanceof ConfigObject entry) {
                object(entry, template, append(at, name), path + "." + Show.key(name));
            }
        }
    }

    private void pool(ConfigObject pool, List<Object> at, String path) {
        ConfigObject template = (ConfigObject) reference.get("pool-defaults");
        for (String key : pool.keySet()) {
            ConfigValue v = pool.get(key);
            if (key.equals("servers") && v instanceof ConfigList list) {
                ConfigObject serverTemplate = (ConfigObject) reference.get("server-defaults");
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof ConfigObject server) {
                        object(server, serverTemplate, append(append(at, key), i), path + ".servers[" + i + "]");
                    }
                }
            } else {
                known(key, v, template, append(at, key), path + "." + Show.key(key));
            }
        }
    }

    private void object(ConfigObject actual, ConfigObject schema, List<Object> at, String path) {
        for (String key : actual.keySet()) {
            known(key, actual.get(key), schema, append(at, key), path + "." + Show.key(key));
        }
    }

    private void known(String key, ConfigValue v, ConfigObject schema, List<Object> at, String path) {
        ConfigValue expected = schema.get(key);
        if (expected == null) {
            problems.add(at, path, unknown(key, schema));
        } else if (expected instanceof ConfigObject nested && v instanceof ConfigObject o && !nested.isEmpty()) {
            object(o, nested, at, path);
        }
    }

    static String unknown(String key, ConfigObject schema) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : new TreeSet<>(schema.keySet())) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null
                ? "unknown key (did you mean " + best + "?)"
                : "unknown key (expected: one of " + String.join(", ", new TreeSet<>(schema.keySet())) + ")";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static List<Object> append(List<Object> at, Object step) {
        List<Object> out = new ArrayList<>(at);
        out.add(step);
        return out;
    }
}

package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** reference.conf is the one place for defaults: the loader reads nothing else, and everything there is documented. */
class ReferenceConfTest {

    /** Every key set, so that every read the loader can make is made. */
    private static final String MAXIMAL = """
            portier {
              workers = 2, transport = epoll
              admin { bind = "127.0.0.1:9901", token = t }
              listeners.web {
                bind = ":8080", pool = web, reuse-port = on, backlog = 10
                access { allow = ["10.0.0.0/8"], deny = [] }
                limits {
                  max-connections = 1, connection-rate = 1, connection-burst = 1
                  per-source { max-connections = 1, connection-rate = 1, tracked-sources = 1 }
                  bandwidth { port = 1KiB, connection = 1KiB }
                  on-limit = pause
                }
                timeouts { connect = 1s, idle = 1s, drain = 1s }
                proxy-protocol { send = v1, accept = v2 }
              }
              pools.web {
                balance = first, retries = 1
                servers = [{ name = a, address = "127.0.0.1:9001", weight = 1, backup = off, max-connections = 1 }]
                health {
                  type = send-expect, interval = 1s, timeout = 1s, rise = 1, fall = 1, send = "x", expect = "y"
                  http { path = "/", expect-status = "200", host = "" }
                  passive { consecutive-failures = 1, ejection = 1s }
                }
                slow-start = 1s, on-server-down = close
              }
              access-log { enabled = on, format = json, destination = stdout }
              reload { watch = on, settle = 1s }
            }
            """;

    private static ConfigObject reference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).root();
    }

    @Test
    void readsOnlyKeysThatReferenceConfDefines() throws Exception {
        Set<String> reads = new TreeSet<>();
        ConfigLoader.parse(MAXIMAL, "max.conf", Map.of(), reads);

        Set<String> defined = allPaths(reference(), "");
        assertThat(reads).isNotEmpty();
        assertThat(defined).containsAll(reads);
    }

    @Test
    void readsEveryKeyThatReferenceConfDefines() throws Exception {
        Set<String> reads = new TreeSet<>();
        ConfigLoader.parse(MAXIMAL, "max.conf", Map.of(), reads);

        assertThat(reads).containsAll(leafPaths(reference()));
    }

    @Test
    void documentsEveryKeyOfReferenceConf() {
        List<String> undocumented = new ArrayList<>();
        walk(reference(), "", (path, value) -> {
            if (value.origin().comments().isEmpty()) {
                undocumented.add(path);
            }
        });

        assertThat(undocumented).isEmpty();
    }

    @Test
    void parsesWithoutAnyUserFileWhenNothingIsRequired() throws Exception {
        PortierConfig c = ConfigLoader.parse("", "empty.conf", Map.of(), new HashSet<>());

        assertThat(c.listeners()).isEmpty();
        assertThat(c.pools()).isEmpty();
    }

    /** Paths of every value, objects included. */
    private static Set<String> allPaths(ConfigObject object, String prefix) {
        Set<String> out = new TreeSet<>();
        object.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            out.add(path);
            if (value instanceof ConfigObject o) {
                out.addAll(allPaths(o, path));
            }
        });
        return out;
    }

    private static Set<String> leafPaths(ConfigObject root) {
        Set<String> out = new TreeSet<>();
        walk(root, "", (path, value) -> out.add(path));
        return out;
    }

    /** Visits every leaf: a value that is not an object, or an empty object (listeners {}). */
    private static void walk(ConfigObject object, String prefix, java.util.function.BiConsumer<String, ConfigValue> leaf) {
        object.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof ConfigObject o && !o.isEmpty()) {
                walk(o, path, leaf);
            } else {
                leaf.accept(path, value);
            }
        });
    }
}

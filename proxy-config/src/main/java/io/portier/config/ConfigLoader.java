package io.portier.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads HOCON into a validated {@link PortierConfig}, reporting every problem at once.
 *
 * <p>Steps: parse the user's text (a syntax error is a problem, not a stack trace); layer it over every
 * {@code reference.conf} on the class path; resolve substitutions, where {@code ${?NAME}} falls back to
 * the environment; report unknown keys; read every value through {@link Node}; check across keys.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads FILE over reference.conf, resolving includes and ${?ENV}. Problems name FILE as given. */
    public static PortierConfig load(Path file) throws InvalidConfigException {
        return load(file, System.getenv());
    }

    /** Parses a HOCON string over reference.conf; {@code originName} stands for the file name in messages. */
    public static PortierConfig parse(String hocon, String originName) throws InvalidConfigException {
        return parse(hocon, originName, System.getenv(), new HashSet<>());
    }

    /** Like {@link #load(Path)} with the environment given, for tests. */
    static PortierConfig load(Path file, Map<String, String> env) throws InvalidConfigException {
        String name = file.toString();
        Config user;
        try {
            user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw syntax(name, e);
        }
        return read(user, name, Optional.of(file), env, new HashSet<>());
    }

    /**
     * Like {@link #parse(String, String)} with the environment given; {@code reads} receives the template
     * path of every key read (see {@link Node}).
     */
    static PortierConfig parse(String hocon, String originName, Map<String, String> env, Set<String> reads)
            throws InvalidConfigException {
        Config user;
        try {
            user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(originName));
        } catch (ConfigException e) {
            throw syntax(originName, e);
        }
        return read(user, originName, Optional.empty(), env, reads);
    }

    private static PortierConfig read(Config user, String fileName, Optional<Path> source,
            Map<String, String> env, Set<String> reads) throws InvalidConfigException {
        Problems problems = new Problems(fileName, user.root());
        Config reference = reference();
        Config merged;
        try {
            merged = user.withFallback(reference)
                    .resolve(ConfigResolveOptions.noSystem().appendResolver(new EnvResolver(env)));
        } catch (ConfigException e) {
            problems.add(e);
            throw new InvalidConfigException(problems.sorted());
        }
        ConfigValue portier = merged.root().get("portier");
        if (!(portier instanceof ConfigObject portierObject)) {
            problems.add(List.of("portier"), "portier", Show.value(portier) + " (expected: an object)");
            throw new InvalidConfigException(problems.sorted());
        }
        new KeyChecker((ConfigObject) reference.root().get("portier"), problems).check(portierObject);
        Node root = new Node(problems, reads, "portier", "portier", List.of("portier"), portierObject);
        PortierConfig config = ConfigReader.read(root, source, problems);
        if (config == null) {
            throw new InvalidConfigException(problems.sorted());
        }
        return config;
    }

    /** reference.conf, unresolved (its ${?PORTIER_ADMIN_TOKEN} resolves together with the user's file). */
    static Config reference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf");
    }

    private static InvalidConfigException syntax(String fileName, ConfigException e) {
        Problems problems = new Problems(fileName, null);
        problems.add(e);
        return new InvalidConfigException(problems.sorted());
    }

    /** {@code ${?NAME}} and {@code ${NAME}} fall back to these variables. */
    private record EnvResolver(Map<String, String> env) implements ConfigResolver {
        @Override
        public ConfigValue lookup(String path) {
            String value = env.get(path);
            return value == null ? null : ConfigValueFactory.fromAnyRef(value, "env var " + path);
        }

        @Override
        public ConfigResolver withFallback(ConfigResolver fallback) {
            ConfigResolver self = this;
            return new ConfigResolver() {
                @Override
                public ConfigValue lookup(String path) {
                    ConfigValue v = self.lookup(path);
                    return v != null ? v : fallback.lookup(path);
                }

                @Override
                public ConfigResolver withFallback(ConfigResolver next) {
                    return self.withFallback(fallback.withFallback(next));
                }
            };
        }
    }
}

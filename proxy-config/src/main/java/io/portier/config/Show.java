package io.portier.config;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

/** How a config value appears in a problem message: strings quoted, numbers and booleans bare. */
final class Show {
    private Show() {}

    static String value(ConfigValue v) {
        if (v == null) {
            return "missing";
        }
        return switch (v.valueType()) {
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> v.render(ConfigRenderOptions.concise());
        };
    }

    static String quoted(String s) {
        return com.typesafe.config.ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
    }

    /** A config key as it appears in a path: quoted when it holds anything but letters, digits, - and _. */
    static String key(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : quoted(key);
    }
}

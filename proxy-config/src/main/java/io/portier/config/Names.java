package io.portier.config;

import java.util.regex.Pattern;

/** Names of listeners, pools and servers: they appear in paths, metrics labels and admin URLs. */
final class Names {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]+");
    static final String EXPECTED = "a name of letters, digits, '_', '.' and '-'";

    private Names() {}

    static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }
}

package io.portier.config;

/** Balancing algorithms, with the names used in the config file. */
public enum Balance {
    ROUND_ROBIN("round-robin"),
    LEAST_CONNECTIONS("least-connections"),
    RANDOM_TWO("random-two"),
    SOURCE_HASH("source-hash"),
    FIRST("first");

    private final String configName;

    Balance(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}

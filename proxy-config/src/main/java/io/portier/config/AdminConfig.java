package io.portier.config;

import java.util.Optional;

/**
 * The admin HTTP endpoint.
 *
 * @param bind  host and port of the admin API
 * @param token bearer token; empty means no authentication (allowed only on loopback)
 */
public record AdminConfig(HostPort bind, Optional<String> token) {

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", token=" + (token.isPresent() ? "<redacted>" : "none") + "]";
    }
}

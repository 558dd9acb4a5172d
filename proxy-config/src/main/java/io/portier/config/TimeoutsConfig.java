package io.portier.config;

import java.time.Duration;

/**
 * @param connect backend connect, per attempt
 * @param idle    no bytes in either direction
 * @param drain   how long live connections may finish on shutdown or removal
 */
public record TimeoutsConfig(Duration connect, Duration idle, Duration drain) {}

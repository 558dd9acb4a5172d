package io.portier.config;

import java.time.Duration;

/** @param settle changes closer together than this make one reload */
public record ReloadConfig(boolean watch, Duration settle) {}

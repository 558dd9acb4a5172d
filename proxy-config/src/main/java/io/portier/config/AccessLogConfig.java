package io.portier.config;

/** @param destination "stdout" or a file path */
public record AccessLogConfig(boolean enabled, Format format, String destination) {

    public enum Format { LOGFMT, JSON }
}

package io.portier.config;

/** PROXY protocol: {@code send} to backends, {@code accept} from clients. */
public record ProxyProtocolConfig(Version send, Version accept) {

    public enum Version { OFF, V1, V2 }
}

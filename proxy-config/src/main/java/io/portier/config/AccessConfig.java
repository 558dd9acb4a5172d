package io.portier.config;

import java.util.List;

/** Client address filters; deny wins over allow, an empty allow list admits everyone. */
public record AccessConfig(List<Cidr> allow, List<Cidr> deny) {

    public AccessConfig {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }
}

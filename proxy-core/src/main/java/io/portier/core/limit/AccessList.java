package io.portier.core.limit;

import io.portier.config.AccessConfig;
import io.portier.config.Cidr;

import java.net.InetAddress;

/**
 * A listener's {@code access} lists: a client in any deny network is refused; otherwise, with an
 * empty allow list everyone is admitted, else only clients in an allow network. Stateless and
 * thread-safe; arrays so the check allocates nothing.
 */
final class AccessList {
    private final Cidr[] allow;
    private final Cidr[] deny;

    AccessList(AccessConfig config) {
        this.allow = config.allow().toArray(new Cidr[0]);
        this.deny = config.deny().toArray(new Cidr[0]);
    }

    /** Null when the lists admit everyone (both empty): no check at all on accept. */
    static AccessList of(AccessConfig config) {
        return config == null || (config.allow().isEmpty() && config.deny().isEmpty()) ? null : new AccessList(config);
    }

    boolean admits(InetAddress client) {
        for (Cidr c : deny) {
            if (c.matches(client)) {
                return false;
            }
        }
        if (allow.length == 0) {
            return true;
        }
        for (Cidr c : allow) {
            if (c.matches(client)) {
                return true;
            }
        }
        return false;
    }
}

package io.portier.core.health;

import io.portier.core.pool.Server;

/** {@code type = tcp}: the server passes when its port accepts a connection (L4OK). */
final class TcpHealthCheck implements HealthCheck {

    static final TcpHealthCheck INSTANCE = new TcpHealthCheck();

    private TcpHealthCheck() {
    }

    @Override
    public byte[] request(Server server) {
        return null;
    }

    @Override
    public CheckResult judge(CharSequence reply, boolean complete) {
        throw new IllegalStateException("a layer 4 check reads no reply");
    }
}

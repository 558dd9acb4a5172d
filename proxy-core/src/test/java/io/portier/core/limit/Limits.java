package io.portier.core.limit;

import io.portier.config.AccessConfig;
import io.portier.config.Cidr;
import io.portier.config.LimitsConfig;

import java.util.Arrays;
import java.util.List;

import static io.portier.config.LimitsConfig.UNLIMITED;

/** Builds config records for unit tests: everything unlimited unless set. */
final class Limits {
    private long maxConnections = UNLIMITED;
    private long rate = UNLIMITED;
    private long burst;
    private long sourceMax = UNLIMITED;
    private long sourceRate = UNLIMITED;
    private int tracked = 100_000;

    static Limits limits() {
        return new Limits();
    }

    Limits maxConnections(long n) {
        maxConnections = n;
        return this;
    }

    Limits rate(long perSecond, long burst) {
        this.rate = perSecond;
        this.burst = burst;
        return this;
    }

    Limits perSource(long max, long rate, int tracked) {
        this.sourceMax = max;
        this.sourceRate = rate;
        this.tracked = tracked;
        return this;
    }

    LimitsConfig build() {
        return new LimitsConfig(maxConnections, rate, burst,
                new LimitsConfig.PerSource(sourceMax, sourceRate, tracked),
                new LimitsConfig.Bandwidth(UNLIMITED, UNLIMITED), LimitsConfig.OnLimit.CLOSE);
    }

    static AccessConfig access(List<String> allow, List<String> deny) {
        return new AccessConfig(allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList());
    }

    static AccessConfig everyone() {
        return new AccessConfig(List.of(), List.of());
    }

    static List<String> list(String... items) {
        return Arrays.asList(items);
    }
}

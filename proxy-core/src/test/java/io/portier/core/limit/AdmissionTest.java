package io.portier.core.limit;

import io.portier.config.LimitsConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.portier.core.limit.Limits.access;
import static io.portier.core.limit.Limits.everyone;
import static io.portier.core.limit.Limits.limits;
import static io.portier.core.limit.Limits.list;
import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void rejectsTheConnectionOverMaxConnectionsUntilOneIsReleased() {
        Admission a = Admission.of(limits().maxConnections(50).build(), everyone(), clock);
        List<Permit> permits = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Permit p = a.admit(ip("10.0.0." + i));
            assertThat(p.admitted()).isTrue();
            permits.add(p);
        }
        assertThat(a.admit(ip("10.0.1.1")).verdict()).isEqualTo(Verdict.MAX_CONNECTIONS);

        permits.get(0).release();
        assertThat(a.admit(ip("10.0.1.1")).admitted()).isTrue();
        assertThat(a.connections()).isEqualTo(50);
    }

    @Test
    void aRateRejectionGivesItsConnectionSlotBack() {
        Admission a = Admission.of(limits().maxConnections(10).rate(1, 1).build(), everyone(), clock);
        assertThat(a.admit(ip("10.0.0.1")).admitted()).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(a.admit(ip("10.0.0.1")).verdict()).isEqualTo(Verdict.RATE);
        }
        assertThat(a.connections()).isEqualTo(1);
        clock.advance(1, TimeUnit.SECONDS);
        assertThat(a.admit(ip("10.0.0.1")).admitted()).isTrue();
    }

    @Test
    void limitsOneNoisySourceWhileAnotherIsUntouched() {
        Admission a = Admission.of(limits().perSource(3, LimitsConfig.UNLIMITED, 100).build(), everyone(), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(a.admit(ip("192.0.2.1")).admitted()).isTrue();
        }
        assertThat(a.admit(ip("192.0.2.1")).verdict()).isEqualTo(Verdict.SOURCE_CONNECTIONS);
        for (int i = 0; i < 3; i++) {
            assertThat(a.admit(ip("192.0.2.2")).admitted()).isTrue();
        }
        assertThat(a.connections()).isEqualTo(6);
    }

    @Test
    void aReleasedPerSourceSlotCanBeTakenAgain() {
        Admission a = Admission.of(limits().perSource(1, LimitsConfig.UNLIMITED, 100).build(), everyone(), clock);
        Permit p = a.admit(ip("192.0.2.1"));
        assertThat(a.admit(ip("192.0.2.1")).verdict()).isEqualTo(Verdict.SOURCE_CONNECTIONS);
        p.release();
        assertThat(a.admit(ip("192.0.2.1")).admitted()).isTrue();
    }

    @Test
    void aSourceOverItsRateDoesNotSpendThePortTokens() {
        // port bucket of 5, per-source rate 10/s (bucket of 1)
        Admission a = Admission.of(limits().rate(1, 5).perSource(LimitsConfig.UNLIMITED, 10, 100).build(),
                everyone(), clock);
        assertThat(a.admit(ip("192.0.2.1")).admitted()).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(a.admit(ip("192.0.2.1")).verdict()).isEqualTo(Verdict.SOURCE_RATE);
        }
        for (int i = 2; i <= 5; i++) {
            assertThat(a.admit(ip("192.0.2." + i)).admitted()).as("source %d", i).isTrue();
        }
        assertThat(a.admit(ip("192.0.2.9")).verdict()).isEqualTo(Verdict.RATE);
    }

    @Test
    void aPortRateRejectionGivesThePerSourceSlotAndTokenBack() {
        Admission a = Admission.of(limits().rate(1, 1).perSource(1, 1, 100).build(), everyone(), clock);
        Permit first = a.admit(ip("192.0.2.1"));
        assertThat(first.admitted()).isTrue();
        first.release();
        // the port bucket is empty; the source's slot and token must survive the rejection
        assertThat(a.admit(ip("192.0.2.2")).verdict()).isEqualTo(Verdict.RATE);
        clock.advance(1, TimeUnit.SECONDS);
        assertThat(a.admit(ip("192.0.2.2")).admitted()).isTrue();
    }

    @Test
    void keysIpv6ClientsByTheirSlash64() {
        Admission a = Admission.of(limits().perSource(1, LimitsConfig.UNLIMITED, 100).build(), everyone(), clock);
        assertThat(a.admit(ip("2001:db8:0:1::1")).admitted()).isTrue();
        assertThat(a.admit(ip("2001:db8:0:1:ffff::9")).verdict()).isEqualTo(Verdict.SOURCE_CONNECTIONS);
        assertThat(a.admit(ip("2001:db8:0:2::1")).admitted()).isTrue();
        assertThat(a.admit(ip("0.0.0.0")).admitted()).isTrue();
        assertThat(a.admit(ip("::")).admitted()).as("::/64 is not the IPv4 key space").isTrue();
    }

    @Test
    void trackedSourcesBoundsMemoryUnderManyDistinctSources() {
        Admission a = Admission.of(limits().perSource(5, 10, 1000).build(), everyone(), clock);
        for (int i = 0; i < 20_000; i++) {
            Permit p = a.admit(ip(0x0a000000 + i));
            assertThat(p.admitted()).isTrue();
            p.release();
        }
        assertThat(a.trackedSources()).isBetween(1L, 1000L);
        assertThat(a.connections()).isZero();
    }

    @Test
    void denyWinsOverAllowForIpv4AndIpv6() {
        Admission a = Admission.of(limits().build(),
                access(list("10.0.0.0/8", "2001:db8::/32"), list("10.1.0.0/16", "2001:db8:bad::/48")), clock);
        assertThat(a.admit(ip("10.2.3.4")).admitted()).isTrue();
        assertThat(a.admit(ip("10.1.3.4")).verdict()).isEqualTo(Verdict.ACCESS);
        assertThat(a.admit(ip("192.0.2.1")).verdict()).as("not in allow").isEqualTo(Verdict.ACCESS);
        assertThat(a.admit(ip("2001:db8:1::1")).admitted()).isTrue();
        assertThat(a.admit(ip("2001:db8:bad::1")).verdict()).isEqualTo(Verdict.ACCESS);
        assertThat(a.admit(ip("2001:db9::1")).verdict()).isEqualTo(Verdict.ACCESS);
    }

    @Test
    void anEmptyAllowListAdmitsEveryoneNotDenied() {
        Admission a = Admission.of(limits().build(), access(list(), list("192.0.2.0/24", "::1")), clock);
        assertThat(a.admit(ip("198.51.100.7")).admitted()).isTrue();
        assertThat(a.admit(ip("192.0.2.7")).verdict()).isEqualTo(Verdict.ACCESS);
        assertThat(a.admit(ip("::1")).verdict()).isEqualTo(Verdict.ACCESS);
        assertThat(a.admit(ip("::2")).admitted()).isTrue();
    }

    @Test
    void anAccessRejectionTakesNoSlot() {
        Admission a = Admission.of(limits().maxConnections(1).build(), access(list(), list("192.0.2.0/24")), clock);
        for (int i = 0; i < 10; i++) {
            a.admit(ip("192.0.2.1"));
        }
        assertThat(a.connections()).isZero();
    }

    @Test
    void aReloadWithTheSameLimitsKeepsTheSameInstance() {
        Admission a = Admission.of(limits().maxConnections(5).rate(10, 0).build(), everyone(), clock);
        assertThat(a.reconfigure(limits().maxConnections(5).rate(10, 0).build(), everyone())).isSameAs(a);
    }

    @Test
    void aReloadWithNewLimitsKeepsTheLiveCountAndUnchangedBuckets() {
        Admission a = Admission.of(limits().maxConnections(2).rate(10, 1).build(), everyone(), clock);
        Permit held = a.admit(ip("192.0.2.1"));
        Admission b = a.reconfigure(limits().maxConnections(3).rate(10, 1).build(), everyone());
        assertThat(b).isNotSameAs(a);
        assertThat(b.connections()).isEqualTo(1);
        assertThat(b.admit(ip("192.0.2.2")).verdict()).as("bucket kept, still empty").isEqualTo(Verdict.RATE);
        held.release();
        assertThat(b.connections()).isZero();
    }

    @Test
    void neverAdmitsMoreThanMaxConnectionsUnderContention() throws Exception {
        Admission a = Admission.of(limits().maxConnections(50).perSource(20, LimitsConfig.UNLIMITED, 100).build(),
                everyone(), System::nanoTime);
        AtomicInteger live = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            InetAddress client = ip("192.0.2." + (t + 1));
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                List<Permit> mine = new ArrayList<>();
                for (int i = 0; i < 50_000; i++) {
                    Permit p = a.admit(client);
                    if (p.admitted()) {
                        peak.accumulateAndGet(live.incrementAndGet(), Math::max);
                        mine.add(p);
                    }
                    if (mine.size() > 10 || (!p.admitted() && !mine.isEmpty())) {
                        live.decrementAndGet();
                        mine.remove(mine.size() - 1).release();
                    }
                }
                mine.forEach(p -> {
                    live.decrementAndGet();
                    p.release();
                });
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(peak.get()).isLessThanOrEqualTo(50);
        assertThat(a.connections()).isZero();
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress ip(int v4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

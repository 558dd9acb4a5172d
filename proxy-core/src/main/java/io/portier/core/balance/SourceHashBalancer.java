package io.portier.core.balance;

import io.portier.core.pool.Server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * Consistent source hashing by weighted rendezvous (highest random weight) hashing: each server
 * gets a score from a hash of (client address, server name), {@code ln(u) / weight} with {@code u}
 * uniform in (0, 1), and the eligible server with the highest score wins. That is the minimum of
 * exponential draws with rates equal to the weights, so clients spread over the servers exactly in
 * proportion to weight (no virtual-node imbalance, no ring to build or store).
 *
 * <p>Consistency: a client's score for a server depends only on the two of them, so
 * <ul>
 *   <li>the same client gets the same server for as long as the servers and weights stay;</li>
 *   <li>when a server is removed, ineligible or weighted 0, only its own clients move: each to its
 *       next best server (the ring's "walk to the next distinct server"); the others stay;</li>
 *   <li>scores come from server names, not positions, so a reload that keeps the names keeps the
 *       mapping, whatever the order;</li>
 *   <li>weights are read at pick time: raising a server's weight (slow start, admin) only moves
 *       clients to it, lowering it only moves its clients away.</li>
 * </ul>
 *
 * <p>Cost: O(servers) per pick (a 64-bit mix and a {@code Math.log} each), no lock. IPv4 addresses
 * hash without allocation (their {@code hashCode} is the address). IPv6 addresses can only be read
 * through {@link InetAddress#getAddress()}, which returns a fresh 16-byte copy: the one allocation on
 * any pick path (32 bytes, short-lived), accepted to hash all 128 bits rather than the weak 32-bit
 * {@code Inet6Address.hashCode()}.
 */
final class SourceHashBalancer implements Balancer {
    private final Server[] servers;
    /** Per-server hash seeds, from the names. */
    private final long[] seeds;

    SourceHashBalancer(List<Server> servers) {
        this.servers = servers.toArray(new Server[0]);
        this.seeds = new long[this.servers.length];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = hashName(this.servers[i].name());
        }
    }

    @Override
    public Server pick(InetAddress client, Predicate<Server> eligible) {
        long key = hashAddress(client);
        Server best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            int w = s.effectiveWeight();
            if (w <= 0 || !eligible.test(s)) {
                continue;
            }
            long h = fmix64(key ^ seeds[i]);
            double u = ((h >>> 11) + 0.5) * 0x1.0p-53; // in (0, 1), never 0
            double score = Math.log(u) / w;
            if (best == null || score > bestScore) {
                best = s;
                bestScore = score;
            }
        }
        return best;
    }

    static long hashAddress(InetAddress client) {
        if (client == null) {
            return 0;
        }
        if (client instanceof Inet4Address) {
            return fmix64(client.hashCode() & 0xFFFF_FFFFL); // the address as an int
        }
        byte[] bytes = client.getAddress();
        long h = 0x9E37_79B9_7F4A_7C15L;
        for (int i = 0; i < bytes.length; i += 8) {
            long word = 0;
            for (int j = i; j < Math.min(i + 8, bytes.length); j++) {
                word = (word << 8) | (bytes[j] & 0xFF);
            }
            h = fmix64(h ^ word) * 0xC2B2_AE3D_27D4_EB4FL;
        }
        return fmix64(h ^ bytes.length);
    }

    static long hashName(String name) {
        long h = 0xCBF2_9CE4_8422_2325L; // FNV-1a 64
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100_0000_01B3L;
        }
        return fmix64(h);
    }

    /** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 33;
        k *= 0xC4CE_B9FE_1A85_EC53L;
        k ^= k >>> 33;
        return k;
    }
}

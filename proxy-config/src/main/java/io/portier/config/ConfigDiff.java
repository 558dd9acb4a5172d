package io.portier.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changes between two configs: top-level settings, listeners and pools added, removed and changed,
 * per field, and for pools per server. Immutable. Fields are named by their config keys
 * ({@code limits.connection-rate}) and values shown as they would be written ({@code unlimited}, {@code 3s}).
 */
public final class ConfigDiff {
    private final List<Change> global;
    private final List<String> listenersAdded;
    private final List<String> listenersRemoved;
    private final Map<String, List<Change>> listenersChanged;
    private final List<String> poolsAdded;
    private final List<String> poolsRemoved;
    private final Map<String, PoolChange> poolsChanged;

    /** One field: {@code limits.connection-rate 100 -> 200}. */
    public record Change(String field, String before, String after) {
        @Override
        public String toString() {
            return field + " " + before + " -> " + after;
        }
    }

    /**
     * What changed in a pool that exists before and after.
     *
     * @param fields         the pool's own fields (balance, health.*, ...)
     * @param serversAdded   by name, in the new order
     * @param serversRemoved by name, in the old order
     * @param serversChanged by name: the fields of the server that changed
     * @param serverOrder    the order of the servers kept, when it changed (it matters to balance = first),
     *                       else empty
     */
    public record PoolChange(List<Change> fields, List<String> serversAdded, List<String> serversRemoved,
            Map<String, List<Change>> serversChanged, List<Change> serverOrder) {
        public PoolChange {
            fields = List.copyOf(fields);
            serversAdded = List.copyOf(serversAdded);
            serversRemoved = List.copyOf(serversRemoved);
            serversChanged = Collections.unmodifiableMap(new LinkedHashMap<>(serversChanged));
            serverOrder = List.copyOf(serverOrder);
        }

        boolean isEmpty() {
            return fields.isEmpty() && serversAdded.isEmpty() && serversRemoved.isEmpty()
                    && serversChanged.isEmpty() && serverOrder.isEmpty();
        }
    }

    private ConfigDiff(PortierConfig before, PortierConfig after) {
        global = changes(ConfigFields.global(before), ConfigFields.global(after));
        listenersAdded = missingFrom(after.listeners(), before.listeners());
        listenersRemoved = missingFrom(before.listeners(), after.listeners());
        listenersChanged = new LinkedHashMap<>();
        after.listeners().forEach((name, l) -> {
            ListenerConfig old = before.listeners().get(name);
            if (old != null) {
                List<Change> c = changes(ConfigFields.listener(old), ConfigFields.listener(l));
                if (!c.isEmpty()) {
                    listenersChanged.put(name, c);
                }
            }
        });
        poolsAdded = missingFrom(after.pools(), before.pools());
        poolsRemoved = missingFrom(before.pools(), after.pools());
        poolsChanged = new LinkedHashMap<>();
        after.pools().forEach((name, p) -> {
            PoolConfig old = before.pools().get(name);
            if (old != null) {
                PoolChange c = pool(old, p);
                if (!c.isEmpty()) {
                    poolsChanged.put(name, c);
                }
            }
        });
    }

    public static ConfigDiff between(PortierConfig before, PortierConfig after) {
        return new ConfigDiff(Objects.requireNonNull(before), Objects.requireNonNull(after));
    }

    /** workers, transport, admin.*, access-log.*, reload.* */
    public List<Change> globalChanges() {
        return Collections.unmodifiableList(global);
    }

    public List<String> listenersAdded() {
        return listenersAdded;
    }

    public List<String> listenersRemoved() {
        return listenersRemoved;
    }

    /** Listeners present before and after, by name, with the fields that changed. */
    public Map<String, List<Change>> listenersChanged() {
        return Collections.unmodifiableMap(listenersChanged);
    }

    public List<String> poolsAdded() {
        return poolsAdded;
    }

    public List<String> poolsRemoved() {
        return poolsRemoved;
    }

    public Map<String, PoolChange> poolsChanged() {
        return Collections.unmodifiableMap(poolsChanged);
    }

    /**
     * Whether the listener's bind list changed: true when it was added or removed or its {@code bind}
     * differs; false when it is unknown to both configs. A listener whose binds did not change can keep its
     * listening sockets, unless {@link #socketsChanged} says otherwise.
     */
    public boolean bindsChanged(String listener) {
        return listenersAdded.contains(listener) || listenersRemoved.contains(listener)
                || fieldChanged(listener, "bind");
    }

    /**
     * Whether the listener's listening sockets must be opened anew: {@link #bindsChanged}, or
     * {@code reuse-port} or {@code backlog} changed. (A change of {@code workers} changes the number of
     * SO_REUSEPORT sockets per port; see {@link #globalChanges()}.)
     */
    public boolean socketsChanged(String listener) {
        return bindsChanged(listener) || fieldChanged(listener, "reuse-port") || fieldChanged(listener, "backlog");
    }

    public boolean isEmpty() {
        return global.isEmpty() && listenersAdded.isEmpty() && listenersRemoved.isEmpty()
                && listenersChanged.isEmpty() && poolsAdded.isEmpty() && poolsRemoved.isEmpty()
                && poolsChanged.isEmpty();
    }

    /**
     * One human line per change, e.g. {@code workers 2 -> 4}, {@code listener api added},
     * {@code listener web: limits.connection-rate 100 -> 200}, {@code pool web: server c added},
     * {@code pool web: server a: weight 1 -> 3}.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        global.forEach(c -> lines.add(c.toString()));
        listenersAdded.forEach(n -> lines.add("listener " + n + " added"));
        listenersRemoved.forEach(n -> lines.add("listener " + n + " removed"));
        listenersChanged.forEach((n, cs) -> cs.forEach(c -> lines.add("listener " + n + ": " + c)));
        poolsAdded.forEach(n -> lines.add("pool " + n + " added"));
        poolsRemoved.forEach(n -> lines.add("pool " + n + " removed"));
        poolsChanged.forEach((n, p) -> {
            p.fields().forEach(c -> lines.add("pool " + n + ": " + c));
            p.serversAdded().forEach(s -> lines.add("pool " + n + ": server " + s + " added"));
            p.serversRemoved().forEach(s -> lines.add("pool " + n + ": server " + s + " removed"));
            p.serversChanged().forEach((s, cs) -> cs.forEach(c -> lines.add("pool " + n + ": server " + s + ": " + c)));
            p.serverOrder().forEach(c -> lines.add("pool " + n + ": " + c));
        });
        return lines;
    }

    @Override
    public String toString() {
        return String.join("\n", describe());
    }

    private boolean fieldChanged(String listener, String field) {
        return listenersChanged.getOrDefault(listener, List.of()).stream().anyMatch(c -> c.field().equals(field));
    }

    private static PoolChange pool(PoolConfig before, PoolConfig after) {
        Map<String, ServerConfig> old = byName(before.servers());
        Map<String, ServerConfig> now = byName(after.servers());
        Map<String, List<Change>> serversChanged = new LinkedHashMap<>();
        now.forEach((name, s) -> {
            ServerConfig o = old.get(name);
            if (o != null) {
                List<Change> c = changes(ConfigFields.server(o), ConfigFields.server(s));
                if (!c.isEmpty()) {
                    serversChanged.put(name, c);
                }
            }
        });
        List<String> keptBefore = new ArrayList<>(old.keySet());
        keptBefore.retainAll(now.keySet());
        List<String> keptAfter = new ArrayList<>(now.keySet());
        keptAfter.retainAll(old.keySet());
        List<Change> order = keptBefore.equals(keptAfter) ? List.of()
                : List.of(new Change("servers order", keptBefore.toString(), keptAfter.toString()));
        return new PoolChange(changes(ConfigFields.pool(before), ConfigFields.pool(after)),
                missingFrom(now, old), missingFrom(old, now), serversChanged, order);
    }

    private static Map<String, ServerConfig> byName(List<ServerConfig> servers) {
        Map<String, ServerConfig> m = new LinkedHashMap<>();
        servers.forEach(s -> m.put(s.name(), s));
        return m;
    }

    private static List<Change> changes(Map<String, String> before, Map<String, String> after) {
        List<Change> out = new ArrayList<>();
        after.forEach((field, value) -> {
            String old = before.get(field);
            if (!Objects.equals(old, value)) {
                out.add(new Change(field, old, value));
            }
        });
        return out;
    }

    private static List<String> missingFrom(Map<String, ?> present, Map<String, ?> other) {
        List<String> out = new ArrayList<>();
        present.keySet().forEach(k -> {
            if (!other.containsKey(k)) {
                out.add(k);
            }
        });
        return List.copyOf(out);
    }
}

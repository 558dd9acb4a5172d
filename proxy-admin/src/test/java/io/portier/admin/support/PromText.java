package io.portier.admin.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus text exposition format, parsed into samples keyed {@code name{a="1",b="2"}} (labels
 * sorted by name) so tests assert exact values, not substrings. Comments and blank lines are skipped;
 * a sample line is {@code name[{labels}] value [timestamp]}.
 */
public final class PromText {
    private final Map<String, Double> samples;

    private PromText(Map<String, Double> samples) {
        this.samples = samples;
    }

    public static PromText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space;
            String name;
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0 && brace < line.indexOf(' ')) {
                name = line.substring(0, brace);
                int end = parseLabels(line, brace + 1, labels);
                space = end + 1;
            } else {
                space = line.indexOf(' ');
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).trim().split(" ");
            samples.put(key(name, labels), parseValue(rest[0]));
        }
        return new PromText(samples);
    }

    /** @return the index of the closing brace */
    private static int parseLabels(String line, int i, Map<String, String> labels) {
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String label = line.substring(i, eq).trim();
            if (line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("label value not quoted: " + line);
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (line.charAt(j) != '"') {
                char c = line.charAt(j);
                if (c == '\\') {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
                j++;
            }
            labels.put(label, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return i;
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    private static String key(String name, Map<String, String> labels) {
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
        return parts.isEmpty() ? name : name + "{" + String.join(",", parts) + "}";
    }

    /**
     * The value of one sample, or null when absent.
     *
     * @param labels name, value, name, value...
     */
    public Double value(String name, String... labels) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            m.put(labels[i], labels[i + 1]);
        }
        return samples.get(key(name, m));
    }

    /** Whether any sample has this metric name. */
    public boolean has(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }

    public Map<String, Double> samples() {
        return samples;
    }
}

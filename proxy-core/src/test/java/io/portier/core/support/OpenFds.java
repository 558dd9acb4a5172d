package io.portier.core.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The file descriptors this process holds open now, by kind (Linux: {@code /proc/self/fd}). */
public final class OpenFds {
    private OpenFds() {}

    /** Pipe descriptors (splice's pipes). */
    public static long pipes() throws IOException {
        return count("pipe:");
    }

    /** Socket descriptors of any kind. */
    public static long sockets() throws IOException {
        return count("socket:");
    }

    private static long count(String kind) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(kind);
                } catch (IOException e) {
                    return false; // closed while listed
                }
            }).count();
        }
    }
}

package io.portier.config;

/**
 * One problem: printed as {@code FILE:LINE: path: message}.
 *
 * @param file the origin's file name (or the name given to parse), never null
 * @param line 1-based, or -1 when unknown (then printed as {@code FILE: path: message})
 */
public record ConfigProblem(String file, int line, String path, String message) {

    @Override
    public String toString() {
        return (line > 0 ? file + ":" + line : file) + ": " + path + ": " + message;
    }
}

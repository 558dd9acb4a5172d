package io.portier.admin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking client connection through the proxy to a {@link Backend}: learns which one answered. */
public final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static Client connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        return new Client(s);
    }

    /** Reads the backend's greeting: its name. */
    public String backend() throws IOException {
        return line();
    }

    /** Sends {@code text} and reads the same number of bytes back (the echo). */
    public String roundTrip(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write(b);
        out.flush();
        return new String(in.readNBytes(b.length), StandardCharsets.UTF_8);
    }

    /** -1 once the proxy closed the connection without a byte (a rejection). */
    public int read() throws IOException {
        return in.read();
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            sb.append((char) c);
        }
        if (c < 0 && sb.length() == 0) {
            throw new IOException("closed by the proxy before the backend greeted");
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

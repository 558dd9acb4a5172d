#!/usr/bin/env python3
"""Idle connections for the idle-conns workload.

  idle.py serve --port P            accept connections on 127.0.0.1:P and hold them, never reading
  idle.py hold --port P --count N   open N connections to 127.0.0.1:P, write N to --ready FILE once
                                    they are all open, hold them for --hold seconds, then close them
"""
import argparse
import selectors
import socket
import sys
import time


def serve(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4096)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    held = {}
    while True:
        for key, _ in sel.select():
            if key.data is None:
                while True:
                    try:
                        c, _ = srv.accept()
                    except (BlockingIOError, OSError):
                        break
                    c.setblocking(False)
                    held[c.fileno()] = c
                    sel.register(c, selectors.EVENT_READ, "c")
            else:
                c = key.fileobj
                try:
                    data = c.recv(65536)
                except OSError:
                    data = b""
                if not data:  # peer closed: let go
                    sel.unregister(c)
                    held.pop(c.fileno(), None)
                    c.close()


def hold(port, count, seconds, ready):
    conns = []
    deadline = time.monotonic() + 60
    failures = 0
    while len(conns) < count and time.monotonic() < deadline:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            conns.append(s)
        except OSError as e:
            s.close()
            failures += 1
            if failures > 100:
                print("connect failed after %d: %s" % (len(conns), e), file=sys.stderr)
                break
            time.sleep(0.01)
    if ready:
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % len(conns))
        import os
        os.replace(ready + ".tmp", ready)
    time.sleep(seconds)
    for s in conns:
        s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve", "hold"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--hold", type=float, default=60)
    p.add_argument("--ready")
    a = p.parse_args()
    if a.mode == "serve":
        serve(a.port)
    else:
        hold(a.port, a.count, a.hold, a.ready)


if __name__ == "__main__":
    main()

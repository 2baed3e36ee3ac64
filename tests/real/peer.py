#!/usr/bin/python3
"""Both ends of the test traffic, each run inside its own network namespace.

serve: the internet side. Counts the UDP datagrams and payload bytes that
  reach it, echoes each one back when asked to (so the device's receive
  counters move too) and answers its totals as JSON on a UNIX socket.
send: the device side. Sends a bounded burst of UDP datagrams to the peer
  and counts the echoes that come back; prints JSON. Bounded in count,
  size and time: it never sends anywhere but the address it is given,
  which the harness only ever points at its own namespace."""

import argparse
import json
import os
import selectors
import signal
import socket
import sys
import time

MAX_COUNT = 10000
MAX_SIZE = 1400


def serve(args):
    sel = selectors.DefaultSelector()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((args.bind, args.port))
    udp.setblocking(False)
    if os.path.exists(args.control):
        os.unlink(args.control)
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctl.bind(args.control)
    ctl.listen(4)
    totals = {'packets': 0, 'bytes': 0, 'echoed': 0}

    def on_udp(sock):
        while True:
            try:
                data, addr = sock.recvfrom(65536)
            except BlockingIOError:
                return
            totals['packets'] += 1
            totals['bytes'] += len(data)
            if args.echo:
                try:
                    sock.sendto(data, addr)
                    totals['echoed'] += 1
                except OSError:
                    pass

    def on_ctl(sock):
        conn, _ = sock.accept()
        with conn:
            conn.sendall(json.dumps(totals).encode())

    sel.register(udp, selectors.EVENT_READ, on_udp)
    sel.register(ctl, selectors.EVENT_READ, on_ctl)

    def stop(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    print('READY', flush=True)
    try:
        while True:
            for key, _ in sel.select():
                key.data(key.fileobj)
    finally:
        os.unlink(args.control)


def send(args):
    count = min(args.count, MAX_COUNT)
    size = min(args.size, MAX_SIZE)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((args.to, args.port))
    sock.setblocking(False)
    sent = received = received_bytes = 0
    deadline = time.monotonic() + args.timeout
    payload = bytes(i % 251 for i in range(size))
    # a small window keeps the relay and the socket buffers from dropping
    while time.monotonic() < deadline and (sent < count or (args.expect_echo and received < sent)):
        while sent < count and sent - received < args.window:
            try:
                sock.send(payload)
            except (BlockingIOError, ConnectionRefusedError):
                break
            sent += 1
        try:
            data = sock.recv(65536)
            received += 1
            received_bytes += len(data)
        except BlockingIOError:
            time.sleep(0.002)
        except ConnectionRefusedError:
            pass
        if not args.expect_echo and sent - received >= args.window:
            received = sent     # nobody echoes: just pace the burst
            time.sleep(0.005)
    print(json.dumps({'sent': sent, 'bytes': sent * size, 'size': size,
                      'received': received if args.expect_echo else 0,
                      'received_bytes': received_bytes}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('serve')
    s.add_argument('--bind', required=True)
    s.add_argument('--port', type=int, default=9)
    s.add_argument('--control', required=True)
    s.add_argument('--echo', action='store_true')
    c = sub.add_parser('send')
    c.add_argument('--to', required=True)
    c.add_argument('--port', type=int, default=9)
    c.add_argument('--size', type=int, default=1000)
    c.add_argument('--count', type=int, default=100)
    c.add_argument('--window', type=int, default=16)
    c.add_argument('--timeout', type=float, default=10.0)
    c.add_argument('--expect-echo', action='store_true')
    args = p.parse_args()
    return serve(args) if args.cmd == 'serve' else send(args)


if __name__ == '__main__':
    sys.exit(main())

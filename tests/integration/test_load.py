#!/usr/bin/python3
"""Load: 50 clients, each on its own bus connection, read a profile's
properties and its last week of history by hour in a loop while traffic
flows on 4 profiles. Accounting stays exact, no call waits more than a
second, and the daemon's private memory does not grow.

The clients run in one child process (`test_load.py --clients ...`) with
asynchronous GDBus calls, so that 50 of them fit on two cores beside the
daemon; each call's wait is measured from its sending to its reply."""

import json
import os
import subprocess
import sys
import time

import sbtest
from sbtest import ESIM, SbTestCase

CLIENTS = 50
SECONDS = 10.0
WARM_UP = 10.0
MAX_WAIT = 1.0
# RssAnon may grow this much from the end of the warm-up to the end
# (allocator arenas, SQLite's page cache settling); a leak of some 100
# bytes per call over the run (about 10,000 calls) exceeds it.
RSS_SLACK_KB = 1024
ICCIDS = ['8981100022233344401', '8981100022233344402', '8949000011112222303', '8944000011112222304']
WEEK = 7 * 86400


def rss_anon_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('RssAnon:'):
                return int(line.split()[1])
    raise AssertionError('no RssAnon for %d' % pid)


class Load(SbTestCase):

    def setUp(self):
        super().setUp()
        if os.environ.get('SB_DAEMON_WRAPPER'):
            self.skipTest('timings and memory of the daemon itself, not of a wrapper')
        self.start_daemon()
        self.bearers = {}
        self.used = {}
        for n, iccid in enumerate(ICCIDS):
            modem = self.add_modem(iccid, '', ESIM, equipment='3500000000000%d' % n)
            self.bearers[iccid] = self.add_connected_bearer(modem, 'wwan%d' % n)
            self.used[iccid] = [1000 * (n + 1), 100 * (n + 1)]
            self.stats(self.bearers[iccid], *self.used[iccid])
        for iccid in ICCIDS:
            self.wait_used(iccid, *self.used[iccid])

    def traffic_round(self, k):
        for n, iccid in enumerate(ICCIDS):
            u = self.used[iccid]
            u[0] += 1500 + 7 * n + k % 13
            u[1] += 40 + n
            self.stats(self.bearers[iccid], *u)

    def load_for(self, seconds):
        """50 clients for @seconds while traffic flows; their report."""
        address = os.environ['DBUS_SYSTEM_BUS_ADDRESS']
        paths = [sbtest.profile_path(i) for i in ICCIDS]
        clients = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--clients', address,
                                    str(CLIENTS), str(seconds)] + paths,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self._stop_proc, clients)
        started = time.monotonic()
        while clients.poll() is None and time.monotonic() - started < seconds + 30:
            self.traffic_round(self.rounds)
            self.rounds += 1
            time.sleep(0.02)
        out, err = clients.communicate(timeout=60)
        self.assertEqual(clients.returncode, 0, err)
        report = json.loads(out)
        self.assertEqual(report['errors'], [])
        self.assertEqual(report['clients_done'], CLIENTS)
        # every client made progress: none starved
        self.assertGreaterEqual(min(report['per_client']), 10)
        self.assertLess(report['max'], MAX_WAIT, 'a call waited %.3f s' % report['max'])
        return report

    def test_fifty_clients_while_traffic_flows(self):
        pid = self.daemon.pid
        self.rounds = 0
        rss_start = rss_anon_kb(pid)
        # The same load twice: the first settles caches and allocator
        # arenas, growth during the second is what a leak would be.
        warm = self.load_for(WARM_UP)
        rss_warm = rss_anon_kb(pid)
        report = self.load_for(SECONDS)
        rss_end = rss_anon_kb(pid)

        # exact to the byte on every profile, in the properties and the history
        for iccid in ICCIDS:
            self.wait_used(iccid, *self.used[iccid])
        now = int(time.time())
        for iccid in ICCIDS:
            rows = self.profile(iccid).GetHistory('hour', now - WEEK, now + 1)
            self.assertEqual((sum(int(r[1]) for r in rows), sum(int(r[2]) for r in rows)),
                             tuple(self.used[iccid]))

        print('load: %d clients, %d calls (%d GetAll, %d GetHistory) in %.1f s after %d in a '
              '%.0f s warm-up, %d traffic rounds on %d profiles; wait max %.3f s, p99 %.3f s, '
              'median %.3f s; RssAnon %d kB at start, %d kB after the warm-up, %d kB at the end '
              '(%+.1f bytes per call)'
              % (CLIENTS, report['calls'], report['per_method']['GetAll'],
                 report['per_method']['GetHistory'], report['seconds'], warm['calls'], WARM_UP,
                 self.rounds, len(ICCIDS), max(report['max'], warm['max']), report['p99'],
                 report['median'], rss_start, rss_warm, rss_end,
                 (rss_end - rss_warm) * 1024.0 / report['calls']))
        self.assertGreater(self.rounds, 100)
        self.assertLessEqual(rss_end - rss_warm, RSS_SLACK_KB,
                             'RssAnon grew from %d kB to %d kB under load' % (rss_warm, rss_end))


def run_clients(address, n_clients, seconds, paths):
    """Each client alternates GetAll and GetHistory on one profile; prints
    a JSON summary of the waits."""
    from gi.repository import Gio, GLib

    loop = GLib.MainLoop()
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | \
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    conns = [Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
             for _ in range(n_clients)]
    waits = []
    errors = []
    per_client = [0] * n_clients
    per_method = {'GetAll': 0, 'GetHistory': 0}
    state = {'done': 0}
    started = time.monotonic()
    deadline = started + seconds

    def send(i, k):
        if time.monotonic() >= deadline:
            state['done'] += 1
            if state['done'] == n_clients:
                loop.quit()
            return
        path = paths[i % len(paths)]
        if k % 2 == 0:
            iface, member = 'org.freedesktop.DBus.Properties', 'GetAll'
            args = GLib.Variant('(s)', (sbtest.SB_PROFILE_IFACE,))
        else:
            now = int(time.time())
            iface, member = sbtest.SB_PROFILE_IFACE, 'GetHistory'
            args = GLib.Variant('(sxx)', ('hour', now - WEEK, now))
        conns[i].call(sbtest.SB_BUS, path, iface, member, args, None, Gio.DBusCallFlags.NONE,
                      10000, None, reply, (i, k, member, time.monotonic()))

    def reply(conn, res, data):
        i, k, member, sent = data
        try:
            value = conn.call_finish(res)
            if member == 'GetHistory' and value.get_child_value(0).n_children() < 7 * 24:
                errors.append('GetHistory gave %d rows' % value.get_child_value(0).n_children())
            if member == 'GetAll' and value.get_child_value(0).n_children() < 20:
                errors.append('GetAll gave %d properties' % value.get_child_value(0).n_children())
        except GLib.Error as e:
            errors.append('%s: %s' % (member, e.message))
        waits.append(time.monotonic() - sent)
        per_client[i] += 1
        per_method[member] += 1
        send(i, k + 1)

    for i in range(n_clients):
        send(i, i)
    GLib.timeout_add_seconds(int(seconds) + 30, loop.quit)
    loop.run()
    waits.sort()
    print(json.dumps({
        'calls': len(waits), 'seconds': time.monotonic() - started,
        'max': waits[-1] if waits else 0.0,
        'p99': waits[int(len(waits) * 0.99)] if waits else 0.0,
        'median': waits[len(waits) // 2] if waits else 0.0,
        'errors': errors[:20], 'clients_done': state['done'],
        'per_client': per_client, 'per_method': per_method,
    }))


if __name__ == '__main__':
    if sys.argv[1:2] == ['--clients']:
        run_clients(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5:])
    else:
        sbtest.main()

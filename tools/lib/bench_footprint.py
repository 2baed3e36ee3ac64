#!/usr/bin/python3
"""Footprint of the real simbudgetd: wake-ups, private memory, SQLite
transactions, the size of a year of history and the time to show it.

Runs the built daemon on a private system bus against the ModemManager mock
(tests/templates/modemmanager.py); the benchmark drives ModemManager's 30 s
statistics refresh itself, so every wake-up it counts has a known cause.
Prints one line per figure, `name: value unit (goal …)`. `--tiny` runs every
measurement on short windows (for the test that keeps this script working);
its rates are scaled to the full run's cadence and are noisy.

Usage: tools/bench-footprint [--tiny] [--no-build]
Environment: SB_BUILD (build directory, default "build"), SB_BENCH_TINY=1.
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import dbus

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import mocks  # noqa: E402
import processes  # noqa: E402
import waiting  # noqa: E402
from busnames import (ESIM, MM_BUS, MM_MOCK_IFACE, MM_PATH, SB_BUS, SB_PATH,  # noqa: E402
                      SB_PROFILE_IFACE, profile_path)
from privatebus import PrivateBus  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine as machine_info  # noqa: E402

BEARER_IFACE = 'org.freedesktop.ModemManager1.Bearer'

BUCKET_S = 15 * 60
DAY_S = 24 * 3600
YEAR_DAYS = 365
MB = 1000 * 1000            # the project's units: MB is decimal
MM_REFRESH_S = 30           # ModemManager's statistics refresh

FLUSHED_RE = re.compile(r'Flushed: (\d+) write transactions so far')


class Config:
    """Windows and repetitions of one run. A slot holds one statistics
    refresh, early enough that the daemon's deferred flush (1 s later)
    falls inside the same slot."""

    def __init__(self, tiny):
        self.tiny = tiny
        self.slot_s = 1.5 if tiny else float(MM_REFRESH_S)
        self.refresh_at_s = 0.2 if tiny else self.slot_s / 2
        self.slots = 2
        self.settle_s = 1.5 if tiny else 8.0
        self.timing_runs = 5 if tiny else 21

    @property
    def window_s(self):
        return self.slot_s * self.slots


def fail(message):
    sys.stderr.write('bench-footprint: %s\n' % message)
    sys.exit(1)


def wait_for(condition, what, timeout=20.0):
    if not waiting.wait_until(condition, timeout):
        fail('timed out waiting for %s' % what)


# ---- processes --------------------------------------------------------------

class Bus:
    """A private system bus; DBUS_SYSTEM_BUS_ADDRESS points every child at it."""

    def __init__(self, workdir):
        self.dbus_daemon = PrivateBus('system', directory=workdir)
        self.dbus_daemon.export()
        self.con = dbus.bus.BusConnection(self.dbus_daemon.address)

    def has_owner(self, name):
        return self.con.name_has_owner(name)

    def stop(self):
        self.con.close()
        self.dbus_daemon.stop()


class ModemManager:
    """The ModemManager mock, with the name claimed once its objects exist."""

    def __init__(self, bus, workdir):
        self.bus = bus
        self.log = open(os.path.join(workdir, 'mm.log'), 'a')
        self.proc = subprocess.Popen(mocks.command(mocks.MM_TEMPLATE), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if not waiting.name_owned(bus.con, MM_BUS, self.proc):
            fail('the ModemManager mock did not take its name; see %s' % self.log.name)
        self.mock = dbus.Interface(bus.con.get_object(MM_BUS, MM_PATH), MM_MOCK_IFACE)

    def add_modem(self, iccid, index):
        return self.mock.AddModem('bench', iccid, '', dbus.UInt32(ESIM), 'Bench',
                                  '3500000000%04d' % index)

    def add_connected_bearer(self, modem):
        bearer = self.mock.AddBearer(modem, '', True)
        self.mock.ConnectBearer(bearer, '')
        return bearer

    def refresh(self, bearer, rx, tx):
        """One of ModemManager's statistics refreshes."""
        self.mock.SetBearerStats(bearer, dbus.UInt64(rx), dbus.UInt64(tx))

    def publish(self, bearer, rx, tx):
        """A refresh as the daemon sees it from ModemManager: one
        PropertiesChanged of Stats (duration moved). A mock control call
        would add dbusmock's own MethodCalled signal, which ModemManager
        never sends and which would wake the daemon too."""
        obj = self.bus.con.get_object(MM_BUS, bearer)
        st = dbus.Dictionary(obj.Get(BEARER_IFACE, 'Stats', dbus_interface=dbus.PROPERTIES_IFACE),
                             signature='sv')
        d_rx = max(0, rx - int(st['rx-bytes']))
        d_tx = max(0, tx - int(st['tx-bytes']))
        st['duration'] = dbus.UInt32(int(st['duration']) + 30)
        st['rx-bytes'] = dbus.UInt64(int(st['rx-bytes']) + d_rx)
        st['tx-bytes'] = dbus.UInt64(int(st['tx-bytes']) + d_tx)
        st['total-rx-bytes'] = dbus.UInt64(int(st['total-rx-bytes']) + d_rx)
        st['total-tx-bytes'] = dbus.UInt64(int(st['total-tx-bytes']) + d_tx)
        obj.Set(BEARER_IFACE, 'Stats', st, dbus_interface=dbus.PROPERTIES_IFACE)

    def stop(self):
        processes.stop(self.proc, 10)
        self.log.close()
        wait_for(lambda: not self.bus.has_owner(MM_BUS), 'the ModemManager mock to leave')


class Daemon:
    """The built simbudgetd with --verbose, its log in a file."""

    def __init__(self, bus, binary, state_dir, log_path):
        self.bus = bus
        self.log_path = log_path
        self.db_path = os.path.join(state_dir, 'simbudget.db')
        self.log = open(log_path, 'w')
        env = dict(os.environ, G_DEBUG='fatal-warnings,fatal-criticals')
        self.proc = subprocess.Popen([binary, '--verbose', '--state-dir', state_dir],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid
        if not waiting.name_owned(bus.con, SB_BUS, self.proc):
            self.check_alive()
            fail('timed out waiting for simbudgetd')

    def check_alive(self):
        if self.proc.poll() is not None:
            fail('simbudgetd exited with %d; see %s' % (self.proc.returncode, self.log_path))

    def profiles(self):
        obj = self.bus.con.get_object(SB_BUS, SB_PATH)
        objs = obj.GetManagedObjects(dbus_interface='org.freedesktop.DBus.ObjectManager')
        return {str(v[SB_PROFILE_IFACE]['Iccid']): v[SB_PROFILE_IFACE]
                for v in objs.values() if SB_PROFILE_IFACE in v}

    def wait_profiles(self, expected):
        """expected: ICCID → (rx, tx) counted, or None for any."""
        def ready():
            self.check_alive()
            have = self.profiles()
            for iccid, counts in expected.items():
                p = have.get(iccid)
                if p is None:
                    return False
                if counts is not None and (int(p['RxBytes']), int(p['TxBytes'])) != counts:
                    return False
            return True
        wait_for(ready, 'simbudgetd to count %d profile(s)' % len(expected))

    def transactions(self):
        """The daemon's own count of write transactions at its last flush
        (None while it has logged none), and the WAL's position."""
        with open(self.log_path, errors='replace') as f:
            found = FLUSHED_RE.findall(f.read())
        return (int(found[-1]) if found else None), wal_position(self.db_path)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail('simbudgetd did not stop on SIGTERM')
        self.log.close()
        if code != 0:
            fail('simbudgetd exited with %d; see %s' % (code, self.log_path))
        wait_for(lambda: not self.bus.has_owner(SB_BUS), 'simbudgetd to leave the bus')


# ---- the write-ahead log -----------------------------------------------------

WAL_HEADER = struct.Struct('>IIIIII')
WAL_FRAME_HEADER = struct.Struct('>IIII')


def wal_position(db_path):
    """(checkpoint sequence, salts, commits) of the WAL as it is now: each
    transaction ends with one commit frame, whose header holds the database
    size; frames of an earlier generation carry other salts."""
    try:
        with open(db_path + '-wal', 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        return None
    if len(data) < 32:
        return None
    _, _, page_size, seq, salt1, salt2 = WAL_HEADER.unpack_from(data, 0)
    commits = 0
    off = 32
    while off + 24 + page_size <= len(data):
        _, db_size, s1, s2 = WAL_FRAME_HEADER.unpack_from(data, off)
        if (s1, s2) != (salt1, salt2):
            break
        if db_size:
            commits += 1
        off += 24 + page_size
    return seq, salt1, salt2, commits


def wal_commits_between(before, after):
    """Commits between two WAL positions; after a restart of the log only
    those since are seen (a lower bound)."""
    if after is None:
        return 0
    if before is None or before[:3] != after[:3]:
        return after[3]
    return after[3] - before[3]


def transactions_between(before, after):
    """(transactions, how they were counted, the other count)."""
    (log0, wal0), (log1, wal1) = before, after
    wal = wal_commits_between(wal0, wal1)
    if log1 is None:
        return wal, 'WAL commit frames; the daemon logged no flush', None
    return log1 - (log0 or 0), "the daemon's flush log", wal


# ---- /proc --------------------------------------------------------------------

def read_fields(path):
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(':')
            fields[key.strip()] = value.strip()
    return fields


def kb_field(fields, key):
    return int(fields[key].split()[0])


def task_switches(pid):
    """task id → (name, voluntary, involuntary context switches)."""
    out = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        base = '/proc/%d/task/%s' % (pid, tid)
        try:
            st = read_fields(base + '/status')
            with open(base + '/comm') as f:
                name = f.read().strip()
        except FileNotFoundError:
            continue  # the thread ended in between
        out[int(tid)] = (name, int(st['voluntary_ctxt_switches']), int(st['nonvoluntary_ctxt_switches']))
    return out


def switch_delta(pid, before, after):
    """Main thread's (voluntary, involuntary) switches, and the other
    threads' totals by name."""
    main = (after[pid][1] - before[pid][1], after[pid][2] - before[pid][2])
    others = {}
    for tid, (name, vol, invol) in after.items():
        if tid == pid:
            continue
        _, vol0, invol0 = before.get(tid, (name, 0, 0))
        others[name] = others.get(name, 0) + vol + invol - vol0 - invol0
    return main, others


def memory(pid):
    status = read_fields('/proc/%d/status' % pid)
    rollup = read_fields('/proc/%d/smaps_rollup' % pid)
    return {
        'RssAnon': kb_field(status, 'RssAnon') * 1024,
        'Pss': kb_field(rollup, 'Pss') * 1024,
        'Private': (kb_field(rollup, 'Private_Clean') + kb_field(rollup, 'Private_Dirty')) * 1024,
        'Rss': kb_field(rollup, 'Rss') * 1024,
        'Pss_Anon': kb_field(rollup, 'Pss_Anon') * 1024 if 'Pss_Anon' in rollup else None,
        'Pss_File': kb_field(rollup, 'Pss_File') * 1024 if 'Pss_File' in rollup else None,
    }


def machine():
    return '%s, SQLite %s' % (machine_info.describe(), sqlite3.sqlite_version)


# ---- output -------------------------------------------------------------------

def figure(name, value, unit, goal=None, met=None, note=None):
    text = '%s: %s %s' % (name, value, unit) if unit else '%s: %s' % (name, value)
    extra = []
    if goal:
        extra.append('goal ' + goal + ('' if met is None else ', met' if met else ', MISSED'))
    if note:
        extra.append(note)
    if extra:
        text += ' (%s)' % '; '.join(extra)
    print(text, flush=True)


def fmt_rate(value):
    return '%.1f' % value


def fmt_mb(nbytes):
    return '%.2f' % (nbytes / MB)


def txn_note(how, wal, scale):
    note = 'counted from ' + how
    if wal is not None:
        note += '; WAL commit frames %s per minute' % fmt_rate(wal * scale)
    return note


def main_text(main, scale):
    """Involuntary switches are preemptions, not wake-ups: they follow the
    machine's load."""
    return 'voluntary %s, involuntary %s' % (fmt_rate(main[0] * scale), fmt_rate(main[1] * scale))


def others_text(others, scale):
    busy = sorted(((n, c * scale) for n, c in others.items()), key=lambda x: -x[1])
    return ', '.join('%s %s' % (n, fmt_rate(c)) for n, c in busy) or 'none'


# ---- measurements ---------------------------------------------------------------

class Bench:
    def __init__(self, cfg, build):
        self.cfg = cfg
        self.daemon_bin = os.path.join(build, 'plugin', 'simbudgetd')
        self.cli_bin = os.path.join(build, 'client', 'simbudget')
        for b in (self.daemon_bin, self.cli_bin):
            if not os.access(b, os.X_OK):
                fail('%s is missing: build first (tools/test, or ninja -C %s)' % (b, build))
        self.workdir = tempfile.mkdtemp(prefix='sb-bench-')
        self.bus = None
        self.mm = None
        self.daemon = None

    def cleanup(self):
        for part in (self.daemon, self.mm):
            if part is not None and part.proc.poll() is None:
                processes.stop(part.proc, 10)
        if self.bus is not None:
            self.bus.stop()
        if os.environ.get('SB_BENCH_KEEP'):
            sys.stderr.write('bench-footprint: kept %s\n' % self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def start_daemon(self, state_dir, name):
        self.daemon = Daemon(self.bus, self.daemon_bin, state_dir,
                             os.path.join(self.workdir, name + '.log'))
        return self.daemon

    def stop_daemon(self):
        self.daemon.stop()
        self.daemon = None

    def window(self, refresh=None):
        """One measuring window of cfg.slots slots; refresh() is called
        cfg.refresh_at_s into each slot. Returns (main wake-ups, others' by
        name, transactions) over the window."""
        pid = self.daemon.pid
        tx0 = self.daemon.transactions()
        before = task_switches(pid)
        start = time.monotonic()
        for i in range(self.cfg.slots):
            slot = start + i * self.cfg.slot_s
            if refresh is not None:
                time.sleep(max(0.0, slot + self.cfg.refresh_at_s - time.monotonic()))
                refresh()
        time.sleep(max(0.0, start + self.cfg.window_s - time.monotonic()))
        after = task_switches(pid)
        self.daemon.check_alive()
        main, others = switch_delta(pid, before, after)
        return main, others, transactions_between(tx0, self.daemon.transactions())

    def settle(self):
        time.sleep(self.cfg.settle_s)

    def live(self):
        """Wake-ups, transactions and memory of a running daemon."""
        cfg = self.cfg
        per_refresh_to_min = 60.0 / MM_REFRESH_S / cfg.slots   # per window → per minute
        per_second_to_min = 60.0 / cfg.window_s

        self.mm = ModemManager(self.bus, self.workdir)
        modem = self.mm.add_modem('8981100000000000001', 0)
        self.start_daemon(os.path.join(self.workdir, 'live'), 'live')
        self.daemon.wait_profiles({'8981100000000000001': None})
        self.settle()

        main, others, _ = self.window()
        figure('main-thread wake-ups, no bearer', fmt_rate(sum(main) * per_second_to_min), 'per minute',
               '0', sum(main) == 0, main_text(main, per_second_to_min))
        figure('other threads wake-ups, no bearer', fmt_rate(sum(others.values()) * per_second_to_min),
               'per minute', note=others_text(others, per_second_to_min))

        # A connected bearer that has carried some traffic, then stays idle:
        # ModemManager still refreshes its statistics (duration moves).
        bearer = self.mm.add_connected_bearer(modem)
        rx, tx = 5 * MB, 1 * MB
        self.mm.refresh(bearer, rx, tx)
        self.daemon.wait_profiles({'8981100000000000001': (rx, tx)})
        self.settle()

        main, others, (txn, how, wal) = self.window(lambda: self.mm.publish(bearer, rx, tx))
        main_min = sum(main) * per_refresh_to_min
        figure('main-thread wake-ups, idle connected bearer', fmt_rate(main_min), 'per minute',
               '<= 2', main_min <= 2, main_text(main, per_refresh_to_min))
        figure('other threads wake-ups, idle connected bearer',
               fmt_rate(sum(others.values()) * per_refresh_to_min), 'per minute',
               note=others_text(others, per_refresh_to_min))
        figure('SQLite transactions, idle connected bearer', fmt_rate(txn * per_refresh_to_min),
               'per minute', '0', txn == 0, txn_note(how, wal, per_refresh_to_min))

        mem1 = memory(self.daemon.pid)

        # Steady traffic: every refresh brings new bytes.
        counts = {'rx': rx, 'tx': tx}

        def traffic():
            counts['rx'] += 3 * MB
            counts['tx'] += MB // 2
            self.mm.publish(bearer, counts['rx'], counts['tx'])
        main, others, (txn, how, wal) = self.window(traffic)
        txn_min = txn * per_refresh_to_min
        figure('SQLite transactions per active bearer, steady traffic', fmt_rate(txn_min),
               'per minute', '<= 2', txn_min <= 2, txn_note(how, wal, per_refresh_to_min))
        figure('main-thread wake-ups, bearer with steady traffic', fmt_rate(sum(main) * per_refresh_to_min),
               'per minute', note=main_text(main, per_refresh_to_min))

        # Ten profiles, each with a connected bearer that has carried traffic.
        expected = {'8981100000000000001': (counts['rx'], counts['tx'])}
        for i in range(1, 10):
            iccid = '89811000000000000%02d' % (i + 1)
            m = self.mm.add_modem(iccid, i)
            b = self.mm.add_connected_bearer(m)
            self.mm.refresh(b, (i + 1) * MB, i * 100000)
            expected[iccid] = ((i + 1) * MB, i * 100000)
        self.daemon.wait_profiles(expected)
        self.settle()
        mem10 = memory(self.daemon.pid)

        for n, mem in ((1, mem1), (10, mem10)):
            label = '1 profile' if n == 1 else '%d profiles' % n
            figure('private memory RssAnon, ' + label, fmt_mb(mem['RssAnon']), 'MB', '<= 4 MB',
                   mem['RssAnon'] <= 4 * MB)
            split = '' if mem['Pss_Anon'] is None else 'Pss_Anon %s MB, Pss_File %s MB, ' % (
                fmt_mb(mem['Pss_Anon']), fmt_mb(mem['Pss_File']))
            # File-backed pages are shared with every other process that
            # maps the same libraries: Pss moves with what else runs.
            figure('private memory Pss, ' + label, fmt_mb(mem['Pss']), 'MB',
                   note='%sPrivate_Clean+Private_Dirty %s MB, Rss %s MB'
                   % (split, fmt_mb(mem['Private']), fmt_mb(mem['Rss'])))

        self.stop_daemon()
        self.mm.stop()
        self.mm = None

    def year(self):
        """A year of 15-minute buckets for one profile: its size, and the
        time `simbudget history --by day` takes to show it, beside vnStat."""
        cfg = self.cfg
        iccid = '8981100000000000099'
        state = os.path.join(self.workdir, 'year')
        db_path = os.path.join(state, 'simbudget.db')

        # The daemon creates the database, so the schema is its own.
        self.mm = ModemManager(self.bus, self.workdir)
        self.mm.add_modem(iccid, 0)
        self.start_daemon(state, 'year-create')
        self.daemon.wait_profiles({iccid: None})
        self.stop_daemon()

        today = datetime.datetime.now(datetime.timezone.utc).date()
        first_day = today - datetime.timedelta(days=YEAR_DAYS)
        last_day = today - datetime.timedelta(days=1)
        start = int(datetime.datetime(first_day.year, first_day.month, first_day.day,
                                      tzinfo=datetime.timezone.utc).timestamp())
        rows = synth_buckets(iccid, start, YEAR_DAYS * DAY_S // BUCKET_S)

        db = sqlite3.connect(db_path)
        if db.execute('SELECT count(*) FROM profiles WHERE iccid = ?', (iccid,)).fetchone()[0] == 0:
            fail('the daemon did not record profile %s in %s' % (iccid, db_path))
        with db:
            db.execute('DELETE FROM buckets WHERE iccid = ?', (iccid,))
            db.executemany('INSERT INTO buckets (iccid, day, rx, tx, slots) VALUES (?, ?, ?, ?, ?)',
                           day_rows(rows))
        before = db_files_size(db_path)
        mode = db.execute('PRAGMA journal_mode').fetchone()[0]
        db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        after = db_files_size(db_path)
        db.close()
        figure('database size, a year of 15-minute buckets, one profile', fmt_mb(after), 'MB',
               '<= 1.2 MB', after <= 1.2 * MB,
               '%d buckets; %s MB before the checkpoint (journal %s)' % (len(rows), fmt_mb(before), mode))

        daily = {}
        for _, t, r, x in rows:
            day = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).date()
            d = daily.setdefault(day, [0, 0])
            d[0] += r
            d[1] += x

        # simbudget: the daemon on that database, the CLI asking for the year
        self.start_daemon(state, 'year-history')
        self.daemon.wait_profiles({iccid: None})
        argv = [self.cli_bin, 'history', iccid, '--by', 'day',
                '--since', first_day.isoformat(), '--until', last_day.isoformat()]
        check_simbudget_rows(argv, daily)
        sb_times = time_runs(argv, cfg.timing_runs)
        call_times = self.time_get_history(iccid, start, start + YEAR_DAYS * DAY_S)
        self.stop_daemon()
        self.mm.stop()
        self.mm = None

        vn_argv = make_vnstat(os.path.join(self.workdir, 'vnstat'), daily, start)
        check_vnstat_rows(vn_argv, daily)
        vn_times = time_runs(vn_argv, cfg.timing_runs)

        sb_med, vn_med = statistics.median(sb_times), statistics.median(vn_times)
        figure('simbudget history --by day, a year', '%.1f' % (sb_med * 1000), 'ms',
               note='median of %d, %d days' % (len(sb_times), len(daily)))
        figure('GetHistory day, a year, the D-Bus call alone', '%.1f' % (statistics.median(call_times) * 1000),
               'ms', note='median of %d, from Python' % len(call_times))
        figure('vnstat -d 0, the same %d days' % len(daily), '%.1f' % (vn_med * 1000), 'ms',
               note='median of %d' % len(vn_times))
        figure('history time ratio simbudget/vnstat', '%.2f' % (sb_med / vn_med), '',
               '<= 1.0', sb_med <= vn_med)


    def time_get_history(self, iccid, t_from, t_to):
        """The daemon's share of the history: one GetHistory round trip."""
        obj = self.bus.con.get_object(SB_BUS, profile_path(iccid))
        times = []
        for _ in range(self.cfg.timing_runs + 1):
            t0 = time.perf_counter()
            rows = obj.GetHistory('day', dbus.Int64(t_from), dbus.Int64(t_to - 1),
                                  dbus_interface=SB_PROFILE_IFACE)
            times.append(time.perf_counter() - t0)
            if len(rows) != YEAR_DAYS:
                fail('GetHistory returned %d days, not %d' % (len(rows), YEAR_DAYS))
        return times[1:]


def synth_buckets(iccid, start, count):
    """A phone's year, about 3.5 GB a month: busier in the day, a trickle
    at night, every bucket present. Seeded: every run writes the same."""
    rnd = random.Random(20240601)
    rows = []
    for i in range(count):
        t = start + i * BUCKET_S
        hour = (t % DAY_S) // 3600
        peak = 3600 * 1000 if 8 <= hour < 23 else 200 * 1000
        rx = rnd.randrange(1000, peak)
        tx = rx // rnd.randrange(5, 20)
        rows.append((iccid, t, rx, tx))
    return rows


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7f | 0x80)
        value >>= 7
    out.append(value)
    return out


def day_rows(rows):
    """The buckets as the store keeps them (schema version 2, see "Day
    rows" in plugin/sb-store.c): one row per profile and UTC day with the
    day's totals, and its 15-minute buckets as entries of a slot key
    (slot * 2 + roaming, one byte) and rx and tx as LEB128 varints. All
    home buckets here; rows come ordered by time."""
    days = {}
    for iccid, t, rx, tx in rows:
        day = days.setdefault((iccid, t // DAY_S), [0, 0, bytearray()])
        day[0] += rx
        day[1] += tx
        day[2] += bytes([t % DAY_S // BUCKET_S * 2]) + varint(rx) + varint(tx)
    return [(iccid, day, rx, tx, bytes(slots)) for (iccid, day), (rx, tx, slots) in days.items()]


def db_files_size(db_path):
    return sum(os.path.getsize(db_path + ext) for ext in ('', '-wal')
               if os.path.exists(db_path + ext))


def run_quiet(argv):
    env = dict(os.environ, COLUMNS='80', TZ='UTC', LC_ALL='C.UTF-8')
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def time_runs(argv, n):
    env = dict(os.environ, COLUMNS='80', TZ='UTC', LC_ALL='C.UTF-8')
    run_quiet(argv)  # warm the page cache first
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).returncode
        times.append(time.perf_counter() - t0)
        if code != 0:
            fail('%s exited with %d' % (' '.join(argv), code))
    return times


def check_simbudget_rows(argv, daily):
    """The timed command shows the synthetic year: same days, same bytes."""
    r = run_quiet(argv[:1] + ['--json'] + argv[1:])
    if r.returncode != 0:
        fail('%s: %s' % (' '.join(argv), r.stderr.strip()))
    got = json.loads(r.stdout)['rows']
    want = sum(rx + tx for rx, tx in daily.values())
    if len(got) != len(daily) or sum(row['total_bytes'] for row in got) != want:
        fail('simbudget history shows %d days, %d bytes; the year has %d days, %d bytes'
             % (len(got), sum(row['total_bytes'] for row in got), len(daily), want))


def make_vnstat(dbdir, daily, created):
    """A vnStat 2.x database of interface sb0 holding the same daily totals,
    in a directory of its own (never the host's /var/lib/vnstat)."""
    for tool in ('vnstat', 'vnstatd'):
        if shutil.which(tool) is None:
            fail('%s is missing: apt-get install vnstat' % tool)
    os.makedirs(dbdir)
    conf = os.path.join(dbdir, 'vnstat.conf')
    with open(conf, 'w') as f:
        f.write('DatabaseDir "%s"\nUseLogging 0\nDaemonUser ""\nDaemonGroup ""\n' % dbdir)
    base = ['vnstat', '--config', conf, '--dbdir', dbdir]
    subprocess.run(['vnstatd', '--config', conf, '--initdb'], check=True, capture_output=True)
    # --force: sb0 is not a real interface here
    subprocess.run(base + ['--add', '-i', 'sb0', '--force'], check=True, capture_output=True)

    db = sqlite3.connect(os.path.join(dbdir, 'vnstat.db'))
    with db:
        (ifid,) = db.execute("SELECT id FROM interface WHERE name = 'sb0'").fetchone()
        months, years = {}, {}
        for day, (rx, tx) in sorted(daily.items()):
            db.execute('INSERT INTO day (interface, date, rx, tx) VALUES (?, ?, ?, ?)',
                       (ifid, day.isoformat(), rx, tx))
            for table, key in ((months, day.strftime('%Y-%m-01')), (years, day.strftime('%Y-01-01'))):
                t = table.setdefault(key, [0, 0])
                t[0] += rx
                t[1] += tx
        for name, table in (('month', months), ('year', years)):
            db.executemany('INSERT INTO %s (interface, date, rx, tx) VALUES (?, ?, ?, ?)' % name,
                           [(ifid, k, v[0], v[1]) for k, v in sorted(table.items())])
        created_text = datetime.datetime.fromtimestamp(created, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')
        db.execute('UPDATE interface SET created = ?, rxtotal = ?, txtotal = ? WHERE id = ?',
                   (created_text, sum(v[0] for v in daily.values()),
                    sum(v[1] for v in daily.values()), ifid))
    db.close()
    return base + ['-d', '0', '-i', 'sb0']


def check_vnstat_rows(argv, daily):
    r = run_quiet(argv)
    if r.returncode != 0:
        fail('%s: %s' % (' '.join(argv), (r.stderr or r.stdout).strip()))
    shown = len(re.findall(r'^\s*\d{4}-\d{2}-\d{2}\s', r.stdout, re.M))
    if shown != len(daily):
        fail('vnstat -d 0 shows %d days, the year has %d' % (shown, len(daily)))


def main():
    parser = argparse.ArgumentParser(description='Footprint of the real simbudgetd.')
    parser.add_argument('--tiny', action='store_true', default=os.environ.get('SB_BENCH_TINY') == '1',
                        help='short windows, for the test (figures are noisy)')
    args = parser.parse_args()

    os.environ['TZ'] = 'UTC'
    time.tzset()
    cfg = Config(args.tiny)
    build = os.environ.get('SB_BUILD') or os.path.join(ROOT, 'build')
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)

    print('machine: %s' % machine())
    daemon_bin = os.path.join(build, 'plugin', 'simbudgetd')
    if os.path.exists(daemon_bin):
        built = datetime.datetime.fromtimestamp(os.path.getmtime(daemon_bin), datetime.timezone.utc)
        print('build: %s, simbudgetd built %s' % (build, built.strftime('%Y-%m-%d %H:%M UTC')))
    if cfg.tiny:
        print('mode: tiny: %.1f s windows, a statistics refresh every %.1f s; rates scaled to one '
              'refresh per %d s, noisy' % (cfg.window_s, cfg.slot_s, MM_REFRESH_S))
    else:
        print('mode: full: %d s windows, a statistics refresh every %d s as ModemManager does'
              % (cfg.window_s, cfg.slot_s))
    print('wake-ups: voluntary + involuntary context switches of a thread; a write that '
          'waits for the disk counts too')
    sys.stdout.flush()

    t0 = time.monotonic()
    bench = Bench(cfg, build)
    try:
        bench.bus = Bus(bench.workdir)
        bench.live()
        bench.year()
    finally:
        bench.cleanup()
    print('elapsed: %.1f s' % (time.monotonic() - t0))


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Storage faults: a corrupt database is kept aside under a clear name and
the daemon starts afresh; a newer schema is left untouched and the daemon
counts in memory; a read-only or full state directory is reported, the
counts are kept in memory and written once the directory takes them."""

import errno
import glob
import hashlib
import json
import os
import random
import signal
import sqlite3
import unittest

import sbtest
from sbtest import ESIM, SbTestCase

ICCID = '8981100022233344455'
EID = '89049032000001000000012345678901'
RETRY_WITHIN = 15   # the daemon retries failed writes after 5 s, then 10 s
QUERY = ('import json, sqlite3, sys\n'
         'con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)\n'
         'print(json.dumps(con.execute(sys.argv[2]).fetchall()))\n')


def u64(v):
    return v + 2**64 if v < 0 else v


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class Storage(SbTestCase):

    def start_daemon(self, extra_args=(), wait=True, env=None):
        # storage faults are reported at the journal's warning level
        # (g_warning), which the harness would otherwise make fatal
        return super().start_daemon(extra_args, wait, dict(env or {}, G_DEBUG='fatal-criticals'))

    def db(self):
        return os.path.join(self.state_dir, 'simbudget.db')

    def storage_state(self):
        return str(self.manager_props()['StorageState'])

    def line(self, rx, tx):
        """A modem of the profile with a session that carried @rx/@tx."""
        modem = self.add_modem(ICCID, EID, ESIM)
        self.bearer = self.add_connected_bearer(modem)
        self.stats(self.bearer, rx, tx)
        return self.bearer

    def make_database(self, rx, tx):
        """A real database holding @rx/@tx, written by the daemon and closed
        cleanly; ModemManager is then replaced so nothing can be recounted."""
        self.start_daemon()
        self.line(rx, tx)
        self.wait_used(ICCID, rx, tx)
        self.stop_daemon()
        self.stop_mm()
        self.start_mm()
        self.assertEqual(sorted(os.listdir(self.state_dir)), ['simbudget.db'])

    def edit_database(self, *statements):
        con = sqlite3.connect(self.db())
        for sql in statements:
            con.execute(sql)
        con.commit()
        con.execute('PRAGMA journal_mode = DELETE')  # nothing left in a -wal
        con.close()

    def assert_kept_aside(self, original, reason_words):
        """The bad file is beside the new one under a name that says why,
        byte for byte; StorageState and the log say so; a fresh database
        takes the counts from now on and keeps them over a restart."""
        aside = glob.glob(self.db() + '.corrupt-*')
        self.assertEqual(len(aside), 1, 'kept-aside files: %s' % os.listdir(self.state_dir))
        with open(aside[0], 'rb') as f:
            self.assertEqual(f.read(), original, 'the kept-aside file is not the original')
        state = self.storage_state()
        self.assertIn('corrupt', state)
        self.assertIn(os.path.basename(aside[0]), state)
        log = self.daemon_output()
        self.assertRegex(log, r'WARNING.*%s' % os.path.basename(aside[0]).replace('.', r'\.'))
        for word in reason_words:
            self.assertIn(word, log)
        self.assertEqual(self.managed_profiles(), {})
        self.line(4321, 123)
        self.wait_used(ICCID, 4321, 123)
        self.stop_daemon()
        self.stop_mm()
        self.start_mm()
        self.start_daemon()
        self.wait_used(ICCID, 4321, 123)
        self.assertEqual(self.storage_state(), 'ok')
        self.assertEqual(glob.glob(self.db() + '.corrupt-*'), aside)

    # ---- corrupt files ------------------------------------------------------

    def test_random_bytes_are_kept_aside(self):
        os.makedirs(self.state_dir)
        garbage = random.Random(0xbad).randbytes(3 * 4096)
        with open(self.db(), 'wb') as f:
            f.write(garbage)
        self.start_daemon()
        self.assert_kept_aside(garbage, ['not a database'])

    def test_truncated_database_is_kept_aside(self):
        self.make_database(900_000, 9_000)
        size = os.path.getsize(self.db())
        self.assertGreater(size, 4 * 4096)
        os.truncate(self.db(), 2 * 4096)
        with open(self.db(), 'rb') as f:
            original = f.read()
        self.start_daemon()
        self.assert_kept_aside(original, ['corrupt'])

    def test_unversioned_schema_is_kept_aside(self):
        self.make_database(900_000, 9_000)
        self.edit_database('PRAGMA user_version = 0')
        with open(self.db(), 'rb') as f:
            original = f.read()
        self.start_daemon()
        self.assert_kept_aside(original, ['no schema version'])

    def test_damaged_schema_is_kept_aside(self):
        self.make_database(900_000, 9_000)
        self.edit_database('DROP TABLE snapshots')
        with open(self.db(), 'rb') as f:
            original = f.read()
        self.start_daemon()
        self.assert_kept_aside(original, ['damaged schema'])

    # ---- a newer schema -----------------------------------------------------

    def test_newer_schema_is_left_untouched_and_daemon_counts_in_memory(self):
        self.make_database(900_000, 9_000)
        self.edit_database('PRAGMA user_version = 99')
        before = digest(self.db())
        self.start_daemon()
        state = self.storage_state()
        self.assertIn('newer schema', state)
        self.assertIn('memory', state)
        self.assertIn('WARNING', self.daemon_output())
        # counting goes on, in memory
        self.line(5000, 50)
        self.wait_used(ICCID, 5000, 50)
        self.stop_daemon()
        self.assertEqual(digest(self.db()), before, 'the newer database was changed')
        self.assertEqual(sorted(os.listdir(self.state_dir)), ['simbudget.db'])
        self.start_daemon()
        self.assertIn('newer schema', self.storage_state())
        self.stop_daemon()
        self.assertEqual(digest(self.db()), before)

    # ---- a read-only state directory ----------------------------------------

    def read_only_state_dir(self):
        os.makedirs(self.state_dir, exist_ok=True)
        self.wrap_daemon(self.mount_ns_wrapper(
            'mount --bind "%s" "%s"\n'
            'mount -o remount,bind,ro "%s"\n'
            'exec "$@"' % ((self.state_dir,) * 3)))

    def make_writable(self):
        self.in_daemon_ns('mount', '-o', 'remount,bind,rw', self.state_dir)

    def assert_written_once_writable(self, rx, tx):
        """The directory takes writes again: the daemon notices by itself,
        says so, and everything counted is on disk (checked by a restart
        with nothing left in ModemManager to recount)."""
        self.make_writable()
        self.assert_eventually(lambda: self.storage_state() == 'ok',
                               'StorageState stayed %r' % self.storage_state(), timeout=RETRY_WITHIN)
        self.stop_daemon(signal.SIGKILL)
        self.wrap_daemon(None)
        self.stop_mm()
        self.start_mm()
        self.start_daemon()
        self.wait_used(ICCID, rx, tx)
        self.assertEqual(self.storage_state(), 'ok')

    @unittest.skipUnless(sbtest.can_unshare_mount(), 'needs root and mount namespaces')
    def test_read_only_directory_without_database(self):
        self.read_only_state_dir()
        self.start_daemon()
        state = self.storage_state()
        self.assertIn('read-only', state.lower())
        self.assertIn('memory', state)
        self.line(5000, 50)
        self.wait_used(ICCID, 5000, 50)
        self.stats(self.bearer, 7000, 70)
        self.wait_used(ICCID, 7000, 70)
        self.assertFalse(os.path.exists(self.db()))
        self.assert_written_once_writable(7000, 70)

    @unittest.skipUnless(sbtest.can_unshare_mount(), 'needs root and mount namespaces')
    def test_read_only_directory_with_database(self):
        self.make_database(900_000, 9_000)
        before = digest(self.db())
        self.read_only_state_dir()
        self.start_daemon()
        # what was stored is there; what comes is counted in memory
        self.wait_used(ICCID, 900_000, 9_000)
        self.line(5000, 50)
        self.wait_used(ICCID, 905_000, 9_050)
        self.assert_eventually(lambda: 'read-only' in self.storage_state().lower(),
                               'StorageState is %r' % self.storage_state())
        self.assertEqual(digest(self.db()), before)
        self.assert_written_once_writable(905_000, 9_050)

    # ---- a full state directory ---------------------------------------------

    @unittest.skipUnless(sbtest.can_unshare_mount(), 'needs root and mount namespaces')
    def test_full_directory(self):
        os.makedirs(self.state_dir, exist_ok=True)
        self.wrap_daemon(self.mount_ns_wrapper(
            'mount -t tmpfs -o size=512k,mode=0755 sbfull "%s"\n'
            'exec "$@"' % self.state_dir))
        self.start_daemon()

        def query(sql):
            # SQLite resolves /proc/PID/root like a symlink: ask from inside
            out = self.in_daemon_ns('/usr/bin/python3', '-c', QUERY, self.db(), sql).stdout
            return [tuple(u64(v) for v in row) for row in json.loads(out)]

        def on_disk():
            rows = query("SELECT total_rx, total_tx FROM profiles WHERE iccid = '%s'" % ICCID)
            return rows[0] if rows else None

        self.line(1000, 10)
        self.wait_used(ICCID, 1000, 10)
        self.assert_eventually(lambda: on_disk() == (1000, 10))
        # someone fills the file system
        filler = self.daemon_path(os.path.join(self.state_dir, 'filler'))
        with open(filler, 'wb', buffering=0) as f:
            try:
                while f.write(b'\0' * 4096):
                    pass
            except OSError as e:
                self.assertEqual(e.errno, errno.ENOSPC)
        rx = 1000
        for _ in range(20):
            if 'full' in self.storage_state():
                break
            rx += 1000
            self.stats(self.bearer, rx, 10)
            self.wait_used(ICCID, rx, 10)
            self.wait_durable()
        state = self.storage_state()
        self.assertIn('full', state)
        self.assertRegex(self.daemon_output(), r'WARNING.*full')
        # counting goes on in memory
        self.stats(self.bearer, rx + 500, 15)
        self.wait_used(ICCID, rx + 500, 15)
        self.assertLess(on_disk()[0], rx + 500)
        os.unlink(filler)
        self.assert_eventually(lambda: self.storage_state() == 'ok',
                               'StorageState stayed %r' % self.storage_state(), timeout=RETRY_WITHIN)
        self.assertEqual(on_disk(), (rx + 500, 15))
        self.assertEqual(self.in_daemon_ns('/usr/bin/python3', '-c', QUERY, self.db(),
                                           'PRAGMA integrity_check').stdout.strip(), '[["ok"]]')
        self.assertEqual(query("SELECT sum(rx), sum(tx) FROM buckets WHERE iccid = '%s'" % ICCID),
                         [(rx + 500, 15)])


if __name__ == '__main__':
    sbtest.main()

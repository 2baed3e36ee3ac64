"""Harness for the command line client's tests: a private system bus, a
python-dbusmock stand-in for simbudgetd (simbudget_mock.py) and, for
`set`/`unset`, one for NetworkManager; the built `simbudget` runs as a
subprocess with warnings fatal."""

import datetime
import os
import selectors
import subprocess
import sys
import time
import zoneinfo

import dbus
import dbusmock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import mocks  # noqa: E402
import processes  # noqa: E402
import testmain  # noqa: E402
from busnames import SB_BUS, profile_path  # noqa: E402
from busnames import SB_PROFILE_IFACE  # noqa: E402,F401 (for the test files)
from bustestcase import PrivateBusTestCase  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SB_TEMPLATE = os.path.join(HERE, 'simbudget_mock.py')
# The project's NetworkManager template (the stock one lacks Update2, which
# libnm's commit uses); SB_NM_TEMPLATE overrides it.
NM_TEMPLATE = os.environ.get('SB_NM_TEMPLATE') or mocks.NM_TEMPLATE

TRAVEL = '8981100022152233440'
HOME = '8944500102198304826'

main = testmain.main  # the test files' main()

NOT_RUNNING = ('simbudget: the simbudget service is not running '
               '(org.simbudget.SimBudget1 is not on the system bus)\n')


def now():
    return int(time.time())


def local(t, zone):
    return datetime.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(zone))


def midnight(day, zone):
    """Unix time of 00:00 on @day (a date) in @zone."""
    return int(datetime.datetime(day.year, day.month, day.day,
                                 tzinfo=zoneinfo.ZoneInfo(zone)).timestamp())


class CliTestCase(PrivateBusTestCase):
    """One private bus per test process (meson runs one method per process),
    the client, libnm and `dbusmock --system` on it; a fresh mock per test."""

    def setUp(self):
        self.cli = os.environ.get('SB_CLI')
        if not self.cli:
            self.fail('SB_CLI is not set (path to the built simbudget)')
        self.sb = None

    # ---- mocks ----------------------------------------------------------

    _stop = staticmethod(processes.stop)  # for the test files

    def start_sb(self):
        """The simbudgetd stand-in; its control interface is self.sb."""
        proc, obj = self.spawn_server_template(SB_TEMPLATE, {}, stdout=subprocess.DEVNULL)
        self.addCleanup(processes.stop, proc)
        self.sb_proc = proc
        self.sb = dbus.Interface(obj, dbusmock.MOCK_IFACE)
        return self.sb

    def stop_sb(self):
        self.stop_service(self.sb_proc, SB_BUS)

    def start_nm(self):
        """The NetworkManager stand-in; returns its Settings interface."""
        if not os.path.exists(NM_TEMPLATE):
            self.fail('%s is missing (the NetworkManager template with Update2)' % NM_TEMPLATE)
        proc, _ = self.spawn_server_template(NM_TEMPLATE, {}, stdout=subprocess.DEVNULL)
        self.addCleanup(processes.stop, proc)
        settings = self.dbus_con.get_object('org.freedesktop.NetworkManager',
                                            '/org/freedesktop/NetworkManager/Settings')
        return dbus.Interface(settings, 'org.freedesktop.NetworkManager.Settings')

    @staticmethod
    def _typed(props):
        """Plain Python ints would travel as int32; the mock converts each
        value to its property's type."""
        def typed(v):
            if isinstance(v, int) and not isinstance(v, (bool, dbus.Boolean)):
                return dbus.UInt64(v) if v > 2 ** 63 - 1 else dbus.Int64(v)
            if isinstance(v, list) and not isinstance(v, dbus.Array):
                return dbus.Array([dbus.UInt32(x) for x in v], signature='u')
            return v
        return dbus.Dictionary({k: typed(v) for k, v in props.items()}, signature='sv')

    def add_profile(self, iccid, **props):
        return self.sb.AddProfile(iccid, self._typed(props))

    def set_props(self, iccid, **props):
        self.sb.SetProfileProperties(iccid, self._typed(props))

    def add_travel(self, **extra):
        """An eSIM with a 5 GB budget in Tokyo, 24% used, 3 days left."""
        props = dict(SimType='esim', OperatorName='Rakuten', ConnectionId='Travel',
                     ConnectionUuid='0b7b5b4e-9a0b-4d53-8b8a-2d3f6a0c6f11',
                     Active=True, Interface='wwan0', Limit=5000000000,
                     UsedBytes=1230000000, RxBytes=1000000000, TxBytes=230000000,
                     TotalBytes=9876543210, Period='days:8', TimeZone='Asia/Tokyo',
                     PeriodStart=now() - 5 * 86400, PeriodEnd=now() + 3 * 86400 + 600,
                     State='ok', Enforcement='disconnect')
        props.update(extra)
        return self.add_profile(TRAVEL, **props)

    def add_home(self, **extra):
        """A physical SIM without a budget."""
        props = dict(ConnectionId='Home', OperatorName='Vodafone', TotalBytes=2000000,
                     UsedBytes=1000000, Period='monthly:1', TimeZone='Europe/London')
        props.update(extra)
        return self.add_profile(HOME, **props)

    def profile_calls(self, iccid, method):
        obj = self.dbus_con.get_object(SB_BUS, profile_path(iccid))
        return [list(args) for _, args in
                obj.GetMethodCalls(method, dbus_interface=dbusmock.MOCK_IFACE)]

    # ---- the client -----------------------------------------------------

    def cli_env(self, env=None):
        e = dict(os.environ)
        e.pop('COLUMNS', None)
        e['G_DEBUG'] = 'fatal-warnings,fatal-criticals'
        e['LC_ALL'] = 'C.UTF-8'
        if env:
            e.update(env)
        return e

    def run_cli(self, *args, env=None, expect=0):
        """Runs simbudget; checks the exit code and that GLib said nothing."""
        r = subprocess.run([self.cli] + list(args), capture_output=True, text=True,
                           env=self.cli_env(env), timeout=30)
        self.assertEqual(r.returncode, expect,
                         'simbudget %s: exit %d\nstdout:\n%s\nstderr:\n%s' %
                         (' '.join(args), r.returncode, r.stdout, r.stderr))
        self.assertNotIn('**', r.stderr, 'GLib printed a message')
        return r

    def spawn_cli(self, *args, env=None):
        """Starts simbudget with its output in a pipe read by read_line()."""
        proc = subprocess.Popen([self.cli] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.cli_env(env))
        proc.pending = b''
        self.addCleanup(processes.stop, proc)
        return proc

    def read_line(self, proc, timeout=10):
        """The next line @proc writes, waiting at most @timeout seconds.
        Unbuffered reads: a buffered reader could hold a line that select()
        no longer sees."""
        deadline = time.monotonic() + timeout
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b'\n' not in proc.pending:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.fail('no line from simbudget within %d s (have %r)' % (timeout, proc.pending))
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.fail('simbudget closed its output (exit %s): %s' %
                              (proc.poll(), proc.stderr.read().decode(errors='replace')))
                proc.pending += chunk
        line, proc.pending = proc.pending.split(b'\n', 1)
        return line.decode()

    def finish(self, proc, sig, timeout=10):
        """Sends @sig; returns (exit code, rest of stdout, stderr)."""
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, (proc.pending + out).decode(), err.decode()

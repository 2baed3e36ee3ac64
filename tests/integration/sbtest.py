"""Harness for integration tests: a private system bus, python-dbusmock
standing in for ModemManager (and NetworkManager, polkit when asked), and
the real built simbudgetd as a subprocess with its own state directory."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import dbus
import dbus.mainloop.glib
import dbusmock
import dbusmock.mockobject

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import mocks  # noqa: E402
import processes  # noqa: E402
import testmain  # noqa: E402
import waiting  # noqa: E402
from busnames import (DBUSMOCK_IFACE, ESIM, MM_BUS, MM_MOCK_IFACE, NM_BUS, NM_PATH,  # noqa: E402
                      SB_BUS, SB_IFACE, SB_PATH, SB_PROFILE_IFACE, profile_path)
from busnames import PHYSICAL  # noqa: E402,F401 (for the test files)
from bustestcase import PrivateBusTestCase  # noqa: E402

# signals from the daemon are dispatched while tests wait
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

HERE = os.path.dirname(os.path.abspath(__file__))

main = testmain.main  # the test files' main()


def can_use_netns():
    return os.geteuid() == 0 and shutil.which('ip') is not None and \
        subprocess.run(['ip', 'netns', 'list'], capture_output=True).returncode == 0


def can_unshare_mount():
    """Root with mount namespaces: mounts private to the daemon."""
    if os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('nsenter'):
        return False
    return subprocess.run(['unshare', '-m', 'true'], capture_output=True).returncode == 0


class NetNS:
    """A network namespace of the test's own, removed at cleanup."""

    def __init__(self, testcase):
        self.name = 'sbt-%d-%d' % (os.getpid(), int(time.monotonic() * 1000) % 100000)
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
        testcase.addCleanup(self.delete)
        self.run('ip', 'link', 'set', 'lo', 'up')

    def delete(self):
        subprocess.run(['ip', 'netns', 'del', self.name], capture_output=True)

    def prefix(self):
        return ['ip', 'netns', 'exec', self.name]

    def run(self, *argv, check=True):
        return subprocess.run(self.prefix() + list(argv), check=check, capture_output=True, text=True)

    def add_data_link(self):
        """sbdata0 (10.77.0.1/24) with a veth peer, sbpeer0, that answers
        nothing: 10.77.0.2 is a neighbour no one is, so the interface's
        counters hold only the bytes a test sends there."""
        self.run('ip', 'link', 'add', 'sbdata0', 'type', 'veth', 'peer', 'name', 'sbpeer0')
        for dev in ('sbdata0', 'sbpeer0'):
            self.run('sysctl', '-qw', 'net.ipv6.conf.%s.disable_ipv6=1' % dev)
            self.run('ip', 'link', 'set', dev, 'up')
        self.run('ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'sbdata0')
        self.run('ip', 'neigh', 'add', '10.77.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'sbdata0')

    def counters(self, ifname):
        out = self.run('sh', '-c', 'cat /sys/class/net/%s/statistics/rx_bytes '
                       '/sys/class/net/%s/statistics/tx_bytes' % (ifname, ifname)).stdout.split()
        return int(out[0]), int(out[1])

    def send_udp(self, addr, port, size, count):
        # a bounded burst on an address inside this namespace only
        code = ('import socket\n'
                's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
                'for _ in range(%d):\n'
                '    try:\n'
                '        s.sendto(b"x" * %d, ("%s", %d))\n'
                '    except OSError:\n'
                '        pass  # dropped by a quota: EPERM\n' % (count, size, addr, port))
        self.run('/usr/bin/python3', '-c', code)


class SbTestCase(PrivateBusTestCase):
    """One private system bus per test process (meson runs one test method
    per process), fresh mocks and daemon per test."""

    def setUp(self):
        self.daemon_bin = os.environ.get('SB_DAEMON')
        if not self.daemon_bin:
            self.fail('SB_DAEMON is not set (path to the built simbudgetd)')
        self.workdir = tempfile.mkdtemp(prefix='sbtest-')
        self.addCleanup(shutil.rmtree, self.workdir, ignore_errors=True)
        self.captured_logs = ''
        self.addCleanup(self._capture_logs)
        self.state_dir = os.path.join(self.workdir, 'state')
        self.daemon = None
        self.daemon_log = None
        self.daemon_logs = []
        self.netns = None
        self.mm_proc = None
        self.start_mm()

    # ---- mocks ----------------------------------------------------------

    def _spawn_template(self, template, params, name):
        module = dbusmock.mockobject.load_module(template)
        log = open(os.path.join(self.workdir, name + '.log'), 'w')
        self.addCleanup(log.close)
        proc = subprocess.Popen(mocks.command(template, params), stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(processes.stop, proc)
        self.addCleanup(self._check_not_crashed, proc, name)
        self.wait_for_bus_object(module.BUS_NAME, module.MAIN_OBJ, system_bus=True, timeout=20)
        obj = self.dbus_con.get_object(module.BUS_NAME, module.MAIN_OBJ)
        return proc, obj

    _stop_proc = staticmethod(processes.stop)  # for the test files

    def _check_not_crashed(self, proc, name):
        '''A stand-in that ended by itself, not stopped by the test, crashed
        (the NetworkManager one aborts where the real one would).'''
        if proc.poll() not in (None, 0, -signal.SIGTERM, -signal.SIGKILL):
            self.fail('the %s stand-in exited by itself with %d; see %s.log' % (name, proc.returncode, name))

    def start_mm(self, params=None):
        self.mm_proc, self.mm_obj = self._spawn_template(mocks.MM_TEMPLATE, params, 'mm')
        self.mm = dbus.Interface(self.mm_obj, MM_MOCK_IFACE)

    def stop_mm(self):
        self.stop_service(self.mm_proc, MM_BUS)

    def start_nm(self, params=None):
        self.nm_proc, self.nm_obj = self._spawn_template(mocks.NM_TEMPLATE, params, 'nm')
        self.nm = dbus.Interface(self.nm_obj, DBUSMOCK_IFACE)
        return self.nm

    def stop_nm(self):
        self.stop_service(self.nm_proc, NM_BUS)

    def start_polkit(self, allowed=()):
        self.polkit_proc, obj = self._spawn_template('polkitd', {}, 'polkit')
        self.polkit = dbus.Interface(obj, DBUSMOCK_IFACE)
        self.polkit.SetAllowed(dbus.Array(list(allowed), signature='s'))
        return self.polkit

    # ---- NetworkManager state -------------------------------------------

    def nm_get(self, path, iface, name):
        return self.dbus_con.get_object(NM_BUS, path).Get(iface, name, dbus_interface=dbus.PROPERTIES_IFACE)

    def nm_active(self):
        """uuid → state of every active connection."""
        out = {}
        for ac in self.nm_get(NM_PATH, 'org.freedesktop.NetworkManager', 'ActiveConnections'):
            try:
                props = self.dbus_con.get_object(NM_BUS, ac).GetAll(
                    'org.freedesktop.NetworkManager.Connection.Active', dbus_interface=dbus.PROPERTIES_IFACE)
            except dbus.exceptions.DBusException:
                continue  # removed in between
            out[str(props['Uuid'])] = int(props['State'])
        return out

    def device_autoconnect(self, dev):
        return bool(self.nm_get(dev, 'org.freedesktop.NetworkManager.Device', 'Autoconnect'))

    # ---- signals --------------------------------------------------------

    def collect_signals(self):
        """Records (member, path, args) of every Profile signal."""
        self.signals = []

        def handler(*args, **kw):
            self.signals.append((kw['member'], kw['path'], [a for a in args]))
        self.dbus_con.add_signal_receiver(handler, dbus_interface=SB_PROFILE_IFACE,
                                          member_keyword='member', path_keyword='path')
        return self.signals

    def signal_args(self, member):
        return [args for m, _, args in self.signals if m == member]

    # ---- daemon ---------------------------------------------------------

    def start_daemon(self, extra_args=(), wait=True, env=None):
        log_path = os.path.join(self.workdir, 'daemon-%d.log' % len(self.daemon_logs))
        self.daemon_logs.append(log_path)
        self.daemon_log = open(log_path, 'w')
        self.addCleanup(self.daemon_log.close)
        argv = [self.daemon_bin, '--verbose', '--state-dir', self.state_dir] + list(extra_args)
        if not self.netns and '--no-quota' not in argv:
            # the host's nftables are not ours to touch
            argv.append('--no-quota')
        wrapper = os.environ.get('SB_DAEMON_WRAPPER')
        if wrapper:
            argv = wrapper.split() + argv
        if self.netns:
            argv = self.netns.prefix() + argv
        denv = dict(os.environ)
        denv['G_DEBUG'] = 'fatal-warnings,fatal-criticals'
        if env:
            denv.update(env)
        self.daemon = subprocess.Popen(argv, stdout=self.daemon_log, stderr=subprocess.STDOUT, env=denv)
        self.addCleanup(self._stop_daemon_at_cleanup, self.daemon)
        if wait:
            self.assert_eventually(lambda: self.dbus_con.name_has_owner(SB_BUS),
                                   'simbudgetd did not take its bus name', timeout=20)
        return self.daemon

    def _stop_daemon_at_cleanup(self, proc):
        if proc.poll() is not None:
            return
        # valgrind checks for leaks at exit: give it time
        code = processes.stop(proc, 60 if os.environ.get('SB_DAEMON_WRAPPER') else 10)
        # A wrapper's verdict (valgrind --error-exitcode, a sanitizer's
        # abort at exit) is the exit code of a daemon stopped cleanly.
        if code not in (0, -signal.SIGTERM, -signal.SIGKILL):
            self.fail('simbudgetd exited with %d when stopped at cleanup' % code)

    def stop_daemon(self, sig=signal.SIGTERM, expect_code=0):
        self.daemon.send_signal(sig)
        code = self.daemon.wait(20)
        if sig == signal.SIGKILL:
            self.assertEqual(code, -signal.SIGKILL)
        elif expect_code is not None:
            self.assertEqual(code, expect_code, 'simbudgetd exit code')
        self.assert_eventually(lambda: not self.dbus_con.name_has_owner(SB_BUS),
                               'simbudgetd still on the bus')

    def restart_daemon(self, sig=signal.SIGTERM):
        self.stop_daemon(sig)
        self.start_daemon()

    def daemon_output(self):
        out = []
        for p in self.daemon_logs:
            with open(p, errors='replace') as f:
                out.append(f.read())
        return '\n'.join(out)

    def _capture_logs(self):
        out = ['---- simbudgetd log ----', self.daemon_output()]
        for name in ('mm.log', 'nm.log'):
            p = os.path.join(self.workdir, name)
            if os.path.exists(p):
                with open(p, errors='replace') as f:
                    out += ['---- %s ----' % name, f.read()[-4000:]]
        self.captured_logs = '\n'.join(out)

    def run(self, result=None):
        # show the logs only when a test fails
        result = result or self.defaultTestResult()
        failures = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > failures:
            sys.stderr.write('\n%s\n' % getattr(self, 'captured_logs', ''))
        return result

    # ---- access ---------------------------------------------------------

    def manager_props(self):
        obj = self.dbus_con.get_object(SB_BUS, SB_PATH)
        return obj.GetAll(SB_IFACE, dbus_interface=dbus.PROPERTIES_IFACE)

    def profile_obj(self, key):
        return self.dbus_con.get_object(SB_BUS, profile_path(key))

    def profile(self, key):
        return dbus.Interface(self.profile_obj(key), SB_PROFILE_IFACE)

    def props(self, key):
        try:
            return self.profile_obj(key).GetAll(SB_PROFILE_IFACE, dbus_interface=dbus.PROPERTIES_IFACE)
        except dbus.exceptions.DBusException:
            return None

    def managed_profiles(self):
        obj = self.dbus_con.get_object(SB_BUS, SB_PATH)
        objs = obj.GetManagedObjects(dbus_interface='org.freedesktop.DBus.ObjectManager')
        return {str(v[SB_PROFILE_IFACE]['Iccid']): v[SB_PROFILE_IFACE]
                for v in objs.values() if SB_PROFILE_IFACE in v}

    def prop(self, key, name):
        p = self.props(key)
        return None if p is None else p[name]

    # ---- waiting --------------------------------------------------------

    def assert_eventually(self, condition, message=None, timeout=10):
        if not waiting.wait_until(condition, timeout, iterate=True, check=self._check_daemon):
            self.fail(message or 'timed out waiting for %r' % condition)

    def _check_daemon(self):
        if self.daemon is not None and self.daemon.poll() is not None and \
                self.daemon.returncode not in (0, -signal.SIGKILL, -signal.SIGTERM):
            self.fail('simbudgetd died with %d' % self.daemon.returncode)

    def wait_used(self, key, rx, tx, timeout=10):
        def ok():
            p = self.props(key)
            return p is not None and int(p['RxBytes']) == rx and int(p['TxBytes']) == tx
        try:
            self.assert_eventually(ok, timeout=timeout)
        except AssertionError:
            p = self.props(key)
            self.fail('profile %s: expected rx %d tx %d, have %s' % (
                key, rx, tx, None if p is None else (int(p['RxBytes']), int(p['TxBytes']))))

    DURABLE_WITHIN = 2.0

    def wait_durable(self):
        """The contract: every counted sample is durable within 2 s. Tests
        of that promise wait exactly that long, then kill without mercy."""
        time.sleep(self.DURABLE_WITHIN)

    # ---- the daemon's surroundings ----------------------------------------

    def wrap_daemon(self, argv):
        """From the next start on, the daemon runs as `ARGV... DAEMON ARGS`
        (a wrapper that execs it, so the pid stays the daemon's); None
        unwraps it again. An SB_DAEMON_WRAPPER from outside stays innermost."""
        if not hasattr(self, '_outer_wrapper'):
            self._outer_wrapper = os.environ.get('SB_DAEMON_WRAPPER')
            self.addCleanup(self._set_wrapper_env, self._outer_wrapper)
        parts = list(argv or []) + ([self._outer_wrapper] if self._outer_wrapper else [])
        self._set_wrapper_env(' '.join(parts) if parts else None)

    @staticmethod
    def _set_wrapper_env(value):
        if value is None:
            os.environ.pop('SB_DAEMON_WRAPPER', None)
        else:
            os.environ['SB_DAEMON_WRAPPER'] = value

    def mount_ns_wrapper(self, script):
        """A wrap_daemon() argv running the daemon in a mount namespace of its
        own: @script (shell) prepares it, sees the daemon's argv as "$@" and
        ends with `exec "$@"`. daemon_path() and in_daemon_ns() reach it."""
        path = os.path.join(self.workdir, 'mountns-%d.sh' % len(os.listdir(self.workdir)))
        with open(path, 'w') as f:
            f.write('set -e\n' + script + '\n')
        return ['unshare', '-m', '/bin/sh', path]

    def daemon_path(self, path):
        """@path as the running daemon sees it (its mount namespace)."""
        return '/proc/%d/root%s' % (self.daemon.pid, os.path.abspath(path))

    def in_daemon_ns(self, *argv):
        """Runs @argv in the running daemon's mount namespace."""
        return subprocess.run(['nsenter', '-t', str(self.daemon.pid), '-m'] + list(argv),
                              check=True, capture_output=True, text=True)

    # ---- ModemManager scenarios -----------------------------------------

    def add_modem(self, iccid, eid='', sim_type=ESIM, operator='Travel', equipment='35000000000000'):
        return self.mm.AddModem('modem', iccid, eid, dbus.UInt32(sim_type), operator, equipment)

    def add_connected_bearer(self, modem, iface='wwan0', stats=True):
        bearer = self.mm.AddBearer(modem, iface, stats)
        self.mm.ConnectBearer(bearer, iface)
        return bearer

    def stats(self, bearer, rx, tx):
        self.mm.SetBearerStats(bearer, dbus.UInt64(rx), dbus.UInt64(tx))


"""The real ModemManager and NetworkManager against a simulated AT modem,
off the host.

A Rig is everything one test needs, made by it and private to it:

- a private system bus: dbus-daemon with its own config on a unix:path=
  socket in the rig's directory (reachable from other network namespaces),
  allow-all policy, no service directory (nothing is bus-activated);
- polkit stood in by dbusmock's polkitd template, AllowUnknown(true):
  Debian's ModemManager refuses Enable/Connect without an authority;
- two network namespaces: the device side "<tag>n" (ModemManager,
  NetworkManager, the pppd stand-in, ppp0) and the internet side "<tag>i"
  (the modem's network end inet0 and a counting UDP peer);
- the simulated modem (at_modem.py) on a UNIX socket "at0" in the rig's
  directory, attached with ModemManager's Test.SetProfile;
- ModemManager --test-no-udev --test-enable --no-auto-scan, cwd in the rig's
  directory (relative port names resolve there), in the device namespace
  and a private mount namespace with tmpfs over /run and /var/lib;
- NetworkManager in the device namespace and a private mount namespace:
  tmpfs over /run and /var/lib, its run/state/keyfile directories, /etc/ppp
  and the pppd stand-in bind-mounted from the rig's directory, a refusing
  modprobe (this is a shared kernel), config files passed explicitly with
  --intern-config (never --print-config without it: that writes the host's
  /var/lib/NetworkManager/NetworkManager-intern.conf);
- only with Rig(dispatcher_scripts=[...]): the real nm-dispatcher, started
  by the rig (not bus-activated: the bus has no service directory) inside
  NetworkManager's namespaces, where the rig's own dispatcher.d is
  bind-mounted over both of the host's (whose scripts never run) and
  /run/dbus/system_bus_socket leads to the rig's bus (scripts get a clean
  environment without DBUS_SYSTEM_BUS_ADDRESS).

Every process gets SB_REAL_RIG=<tag> in its environment and a parent-death
signal; teardown stops them by PID, deletes the namespaces, then looks for
anything left (a live process carrying the tag or living in one of the
rig's namespaces, a mount naming the rig) and reports it before killing it.
Namespaces left by a killed harness ("sbr<pid>..." whose pid is gone) are
swept at the next start.

Tests subclass RealTestCase: one Rig per test, started in setUp, torn down
and leak-checked in a cleanup. nmcli/mmcli are fine here, in the test
harness; the project's daemon itself never shells out."""

import atexit
import ctypes
import importlib.util
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import dbus

from at_modem import luhn_complete  # noqa: F401 (re-exported for tests)

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = '/usr/bin/python3'

MM_BUS = 'org.freedesktop.ModemManager1'
MM_PATH = '/org/freedesktop/ModemManager1'
MM_MODEM_IFACE = 'org.freedesktop.ModemManager1.Modem'
MM_SIM_IFACE = 'org.freedesktop.ModemManager1.Sim'
NM_BUS = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_DEVICE_IFACE = 'org.freedesktop.NetworkManager.Device'
NM_DISPATCHER_BUS = 'org.freedesktop.nm_dispatcher'
NM_DISPATCHER_PATHS = ('/usr/lib/NetworkManager/nm-dispatcher', '/usr/libexec/nm-dispatcher')
NM_DISPATCHER_DIRS = ('/etc/NetworkManager/dispatcher.d', '/usr/lib/NetworkManager/dispatcher.d')
POLKIT_BUS = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'

NM_DEVICE_TYPE_MODEM = 8
NM_DEVICE_STATE_DISCONNECTED = 30
NM_DEVICE_STATE_ACTIVATED = 100
MM_MODEM_STATE_REGISTERED = 8
MM_MODEM_STATE_CONNECTED = 11

GATEWAY = '10.200.0.1'      # the network's end of the PPP link, in the internet namespace
ADDRESS = '10.200.0.2'      # what the modem assigns to the device
PEER_PORT = 9
RIG_ENV = 'SB_REAL_RIG'
TAG_RE = re.compile(r'^sbr(\d+)x\d+[ni]$')
DIR_RE = re.compile(r'^sbr(\d+)x\d+-\w{8}$')
PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(None, use_errno=True)
_live_rigs = []
_rig_count = 0


DEFAULT_ICCID = luhn_complete('894900000000004201')


def _pdeathsig():
    # children die with the harness even when it is killed without cleanup
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def nm_dispatcher():
    """The installed nm-dispatcher, or None."""
    return next((p for p in NM_DISPATCHER_PATHS if os.access(p, os.X_OK)), None)


def skip_reason():
    """Why this tier cannot run here (one line), or None."""
    if os.geteuid() != 0:
        return 'needs root (network and mount namespaces)'
    for tool in ('ip', 'unshare', 'dbus-daemon', 'ModemManager', 'NetworkManager', 'nmcli', 'mmcli'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            return '%s is not installed' % tool
    if not os.path.exists('/usr/sbin/pppd'):
        return '/usr/sbin/pppd is absent (the stand-in is bind-mounted over it)'
    try:
        os.close(os.open('/dev/net/tun', os.O_RDWR))
    except OSError as e:
        return '/dev/net/tun unusable: %s' % e.strerror
    if importlib.util.find_spec('dbusmock') is None:
        return 'python3-dbusmock is not installed'
    r = subprocess.run(['unshare', '-n', '-m', 'true'], capture_output=True)
    if r.returncode != 0:
        return 'cannot create namespaces: %s' % r.stderr.decode(errors='replace').strip()
    return None


def _ns_inode(path):
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _proc_pids():
    return [int(p) for p in os.listdir('/proc') if p.isdigit()]


def _alive(pid):
    """Running and not a zombie (PID 1 here may reap orphans late)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(')') + 2] != 'Z'


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace').strip()
    except OSError:
        return '?'


def _has_env(pid, needle):
    try:
        with open('/proc/%d/environ' % pid, 'rb') as f:
            return needle in f.read().split(b'\0')
    except OSError:
        return False


def sweep_stale():
    """Remove what a killed harness left: namespaces "sbr<pid>x<n>[ni]"
    and directories "sbr<pid>x<n>-*" whose pid is gone, and whatever still
    runs in those namespaces. Nothing else."""
    r = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ''
        m = TAG_RE.match(name)
        if not m or os.path.exists('/proc/%s' % m.group(1)):
            continue
        ino = _ns_inode('/run/netns/' + name)
        for pid in _proc_pids():
            if ino is not None and _ns_inode('/proc/%d/ns/net' % pid) == ino:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        subprocess.run(['ip', 'netns', 'del', name], capture_output=True)
    if os.environ.get('SB_REAL_KEEP'):
        return
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        m = DIR_RE.match(entry)
        if m and not os.path.exists('/proc/%s' % m.group(1)):
            shutil.rmtree(os.path.join(tmp, entry), ignore_errors=True)


class Proc:
    """A process the rig started, stopped by its PID."""

    def __init__(self, name, argv, rig, cwd=None, stdout_pipe=False):
        self.name = name
        self.log_path = os.path.join(rig.dir, name + '.log')
        self.log = open(self.log_path, 'a')
        self.popen = subprocess.Popen(argv, cwd=cwd or rig.dir, env=rig.env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE if stdout_pipe else self.log,
                                      stderr=self.log, preexec_fn=_pdeathsig)
        self.pid = self.popen.pid

    def read_line(self, timeout):
        """A line from the pipe within timeout, or fail."""
        deadline = time.monotonic() + timeout
        buf = b''
        fd = self.popen.stdout.fileno()
        while not buf.endswith(b'\n'):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RigError('%s: no output within %.0f s (see %s)' % (self.name, timeout, self.log_path))
            chunk = os.read(fd, 1)
            if not chunk:
                raise RigError('%s exited with %s (see %s)' % (self.name, self.popen.wait(), self.log_path))
            buf += chunk
        return buf.decode().strip()

    def running(self):
        return self.popen.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL; returns the exit status."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self.popen.stdout:
            self.popen.stdout.close()
        self.log.close()
        return self.popen.returncode


class RigError(Exception):
    pass


class Interrupted(Exception):
    """SIGTERM/SIGINT/SIGHUP while a rig is up: an ordinary exception, so
    unittest still runs the cleanups that tear the rig down."""


def _on_signal(signum, frame):
    raise Interrupted('signal %d' % signum)


class Rig:
    """One test's modem, daemons, bus and namespaces. The modem's identity
    (ICCID, IMEI, operator, roaming, PAP credentials the network insists on,
    DNS it hands out) is set here. dispatcher_scripts: NetworkManager
    dispatcher scripts to install (each also linked from pre-up.d and
    pre-down.d) and run with the real nm-dispatcher."""

    def __init__(self, iccid=DEFAULT_ICCID, imei='350000000000017', operator_name='Simnet',
                 operator_code='00101', roaming=False, pap=None, dns=('10.200.0.53',),
                 dispatcher_scripts=()):
        global _rig_count
        _rig_count += 1
        self.tag = 'sbr%dx%d' % (os.getpid(), _rig_count)
        self.iccid = iccid
        self.imei = imei
        self.modem_args = ['--iccid', iccid, '--imei', imei, '--operator-name', operator_name,
                           '--operator-code', operator_code, '--gateway', GATEWAY, '--address', ADDRESS]
        self.modem_args += ['--roaming'] if roaming else []
        self.modem_args += ['--pap', pap] if pap else []
        for d in dns:
            self.modem_args += ['--dns', d]
        self.dir = tempfile.mkdtemp(prefix=self.tag + '-')
        os.chmod(self.dir, 0o755)
        self.ns_dev = self.tag + 'n'
        self.ns_inet = self.tag + 'i'
        self.bus_address = 'unix:path=' + os.path.join(self.dir, 'bus')
        self.env = dict(os.environ)
        self.env.update({'DBUS_SYSTEM_BUS_ADDRESS': self.bus_address, RIG_ENV: self.tag,
                         'LC_ALL': 'C.UTF-8', 'NO_COLOR': '1',
                         'SB_PPPD_CONFIG': os.path.join(self.dir, 'nm', 'etc-ppp', 'sb-pppd.json')})
        self.env.pop('DBUS_SESSION_BUS_ADDRESS', None)
        self.dispatcher_scripts = list(dispatcher_scripts)
        self.procs = {}
        self.bus = None
        self.ns_inodes = set()
        self.mnt_inodes = set()
        self.pinned = []    # fds holding the rig's namespaces until the leak check is done
        self.torn_down = False
        self.leaks = None
        self.profile_count = 0
        self.pids_before = set(_proc_pids())
        _live_rigs.append(self)

    # ---- starting -------------------------------------------------------

    def start(self, nm=True):
        sweep_stale()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, _on_signal)
        self.start_bus()
        self.start_polkit()
        self.make_namespaces()
        self.start_modem()
        self.start_peer()
        self.start_mm()
        self.attach_modem()
        if nm:
            self.start_nm()

    def _spawn(self, name, argv, **kw):
        p = Proc(name, argv, self, **kw)
        self.procs[name] = p
        return p

    def spawn(self, name, argv, in_device_ns=True):
        """Starts a process of the test's (simbudgetd, a client) with the
        rig's environment, by default in the device namespace where ppp0
        lives; its output goes to NAME.log; teardown stops it first."""
        return self._spawn(name, (self.ns_prefix() if in_device_ns else []) + list(argv))

    def start_bus(self):
        conf = os.path.join(self.dir, 'bus.conf')
        with open(conf, 'w') as f:
            f.write('''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
''' % self.bus_address)
        p = self._spawn('bus', ['dbus-daemon', '--config-file=' + conf, '--nofork', '--print-address=1'],
                        stdout_pipe=True)
        p.read_line(10)
        self.bus = dbus.bus.BusConnection(self.bus_address)

    def start_polkit(self):
        self._spawn('polkit', [PYTHON, '-m', 'dbusmock', '--system', '--template', 'polkitd'])
        self.wait_for(lambda: self.bus.name_has_owner(POLKIT_BUS), 'polkit mock on the bus')
        self.bus.call_blocking(POLKIT_BUS, POLKIT_PATH, 'org.freedesktop.DBus.Mock', 'AllowUnknown',
                               'b', (True,))

    def make_namespaces(self):
        for ns in (self.ns_dev, self.ns_inet):
            subprocess.run(['ip', 'netns', 'add', ns], check=True, capture_output=True)
            self.ns_inodes.add(self._pin('/run/netns/' + ns))
            self.ns_run(ns, 'ip', 'link', 'set', 'lo', 'up')
        # The network behind an IPv4-only PDP context: without this, inet0's
        # IPv6 router solicitations (1, 5, 13… s after it is up) reach ppp0
        # as 48 stray bytes at times no test controls.
        self.ns_run(self.ns_inet, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1',
                    'net.ipv6.conf.default.disable_ipv6=1')

    def _pin(self, path):
        """The namespace's inode, kept from reuse until teardown ends: a
        namespace freed earlier could give its inode number to one of a
        test running beside this one, whose processes would then pass for
        this rig's leftovers."""
        fd = os.open(path, os.O_RDONLY)
        self.pinned.append(fd)
        return os.fstat(fd).st_ino

    def ns_prefix(self, ns=None):
        return ['ip', 'netns', 'exec', ns or self.ns_dev]

    def ns_run(self, ns, *argv, check=True):
        return subprocess.run(self.ns_prefix(ns) + list(argv), check=check, capture_output=True,
                              text=True, env=self.env, timeout=30)

    def start_modem(self):
        p = self._spawn('modem', self.ns_prefix(self.ns_inet) + [
            PYTHON, os.path.join(HERE, 'at_modem.py'), '--socket', os.path.join(self.dir, 'at0'),
            '--log', os.path.join(self.dir, 'at.log'), '--tun', 'inet0'] + self.modem_args, stdout_pipe=True)
        if p.read_line(10) != 'READY':
            raise RigError('the modem did not start')

    def start_peer(self):
        p = self._spawn('peer', self.ns_prefix(self.ns_inet) + [
            PYTHON, os.path.join(HERE, 'peer.py'), 'serve', '--bind', GATEWAY, '--port', str(PEER_PORT),
            '--control', os.path.join(self.dir, 'peer.ctl'), '--echo'], stdout_pipe=True)
        if p.read_line(10) != 'READY':
            raise RigError('the peer did not start')

    def _private_mounts_script(self, name, body):
        """A shell script run as `ip netns exec NS unshare -m -u
        --propagation private sh SCRIPT`: tmpfs over /run and /var/lib, then
        body (which ends with exec)."""
        path = os.path.join(self.dir, name + '.sh')
        with open(path, 'w') as f:
            f.write('set -e\n'
                    'mount -t tmpfs -o mode=0755 %s-run /run\n'
                    'mount -t tmpfs -o mode=0755 %s-lib /var/lib\n'
                    'hostname %s\n' % (self.tag, self.tag, self.tag) + body)
        return self.ns_prefix() + ['unshare', '-m', '-u', '--propagation', 'private', 'sh', path]

    def start_mm(self):
        argv = self._private_mounts_script('mm-start', 'exec ModemManager --test-no-udev --test-enable '
                                           '--no-auto-scan --debug\n')
        p = self._spawn('mm', argv)
        self.wait_for(lambda: self.bus.name_has_owner(MM_BUS), 'ModemManager on the bus',
                      proc=p)
        self.mnt_inodes.add(self._pin('/proc/%d/ns/mnt' % p.pid))

    def attach_modem(self):
        """Test.SetProfile: ModemManager opens ./at0 (its cwd is the rig's
        directory) and probes it with the generic plugin."""
        self.profile_count += 1
        self.bus.call_blocking(MM_BUS, MM_PATH, 'org.freedesktop.ModemManager1.Test', 'SetProfile',
                               'ssas', ('sbreal%d' % self.profile_count, 'generic', ['at0']))

    def _nm_files(self):
        nm = os.path.join(self.dir, 'nm')
        for d in ('run', 'lib', 'etc-ppp', 'connections', 'conf.d', 'system-conf.d'):
            os.makedirs(os.path.join(nm, d), exist_ok=True)
        os.chmod(os.path.join(nm, 'connections'), 0o700)
        with open(os.path.join(nm, 'NetworkManager.conf'), 'w') as f:
            f.write('[main]\n'
                    'plugins=keyfile\n'
                    'no-auto-default=*\n'
                    'dhcp=internal\n'
                    'dns=none\n'
                    'rc-manager=unmanaged\n'
                    'hostname-mode=none\n'
                    'auth-polkit=false\n'
                    '\n[keyfile]\n'
                    'path=%s\n'
                    'unmanaged-devices=except:type:gsm;except:type:loopback\n'
                    '\n[connectivity]\n'
                    'enabled=false\n'
                    '\n[logging]\n'
                    'level=DEBUG\n'
                    % os.path.join(nm, 'connections'))
        with open(os.path.join(nm, 'etc-ppp', 'sb-pppd.json'), 'w') as f:
            json.dump({'tty_dir': self.dir, 'log': os.path.join(self.dir, 'pppd.log')}, f)
        with open(os.path.join(nm, 'pppd'), 'w') as f:
            f.write('#!/bin/sh\nexec %s %s "$@"\n' % (PYTHON, os.path.join(HERE, 'pppd_standin.py')))
        with open(os.path.join(nm, 'modprobe'), 'w') as f:
            f.write('#!/bin/sh\necho "modprobe refused in the test namespace: $*" >&2\nexit 1\n')
        for exe in ('pppd', 'modprobe'):
            os.chmod(os.path.join(nm, exe), 0o755)
        if self.dispatcher_scripts:
            self._dispatcher_files(nm)
        return nm

    def _dispatcher_files(self, nm):
        """nm/dispatcher.d with the scripts (root-owned, not writable by
        others, as nm-dispatcher demands), linked from pre-up.d and
        pre-down.d; nm/dispatcher-empty.d hides the host's other directory."""
        for top in ('dispatcher.d', 'dispatcher-empty.d'):
            for sub in ('', 'pre-up.d', 'pre-down.d', 'no-wait.d'):
                os.makedirs(os.path.join(nm, top, sub), mode=0o755, exist_ok=True)
        for script in self.dispatcher_scripts:
            name = os.path.basename(script)
            target = os.path.join(nm, 'dispatcher.d', name)
            if not os.path.exists(target):
                shutil.copyfile(script, target)
                os.chmod(target, 0o755)
                for sub in ('pre-up.d', 'pre-down.d'):
                    os.symlink(os.path.join('..', name), os.path.join(nm, 'dispatcher.d', sub, name))

    def start_nm(self):
        nm = self._nm_files()
        binds = [(os.path.join(nm, 'run'), '/run/NetworkManager'),
                 (os.path.join(nm, 'lib'), '/var/lib/NetworkManager'),
                 (os.path.join(nm, 'pppd'), '/usr/sbin/pppd')]
        if os.path.isdir('/etc/ppp'):
            binds.append((os.path.join(nm, 'etc-ppp'), '/etc/ppp'))
        modprobe = os.path.realpath('/sbin/modprobe')
        if os.path.exists(modprobe):
            binds.append((os.path.join(nm, 'modprobe'), modprobe))
        body = 'mkdir -p /run/NetworkManager /var/lib/NetworkManager\n'
        if self.dispatcher_scripts:
            # the scripts over the first of the host's directories, an
            # empty one over the other (no mount point is ever created)
            dirs = [d for d in NM_DISPATCHER_DIRS if os.path.isdir(d)]
            if not dirs:
                raise RigError('no NetworkManager dispatcher directory to mount over')
            binds += [(os.path.join(nm, 'dispatcher.d' if i == 0 else 'dispatcher-empty.d'), d)
                      for i, d in enumerate(dirs)]
            # /run is the namespace's own tmpfs: the link goes with it
            body += 'mkdir -p /run/dbus\nln -s %s /run/dbus/system_bus_socket\n' % \
                os.path.join(self.dir, 'bus')
        body += ''.join('mount --bind %s %s\n' % b for b in binds)
        body += ('exec NetworkManager --debug --config=%(d)s/NetworkManager.conf --config-dir=%(d)s/conf.d '
                 '--system-config-dir=%(d)s/system-conf.d --intern-config=%(d)s/NetworkManager-intern.conf '
                 '--state-file=%(d)s/NetworkManager.state --pid-file=%(d)s/run/NetworkManager.pid\n' % {'d': nm})
        p = self._spawn('nm', self._private_mounts_script('nm-start', body))
        self.wait_for(lambda: self.bus.name_has_owner(NM_BUS), 'NetworkManager on the bus', proc=p)
        self.mnt_inodes.add(self._pin('/proc/%d/ns/mnt' % p.pid))
        if self.dispatcher_scripts:
            self.start_dispatcher(p.pid)

    def start_dispatcher(self, nm_pid):
        """nm-dispatcher in NetworkManager's network, mount and UTS
        namespaces (nsenter execs it: the PID is the dispatcher's)."""
        if nm_dispatcher() is None:
            raise RigError('nm-dispatcher is not installed')
        p = self._spawn('dispatcher', ['nsenter', '-t', str(nm_pid), '-n', '-m', '-u',
                                       nm_dispatcher(), '--persist', '--debug'])
        self.wait_for(lambda: self.bus.name_has_owner(NM_DISPATCHER_BUS), 'nm-dispatcher on the bus',
                      proc=p)

    # ---- stopping -------------------------------------------------------

    def stop(self, name, timeout=10):
        return self.procs.pop(name).stop(timeout)

    def stop_nm(self):
        if 'dispatcher' in self.procs:
            self.stop('dispatcher')
        code = self.stop('nm', 15)
        self.wait_for(lambda: not self.bus.name_has_owner(NM_BUS), 'NetworkManager off the bus')
        return code

    def stop_mm(self):
        code = self.stop('mm')
        self.wait_for(lambda: not self.bus.name_has_owner(MM_BUS), 'ModemManager off the bus')
        return code

    def restart_nm(self):
        self.stop_nm()
        self.start_nm()

    def restart_mm(self):
        self.stop_mm()
        self.start_mm()
        self.attach_modem()

    def teardown(self):
        """Stops everything, deletes the namespaces and the directory;
        returns what was left behind before the final sweep (ideally [])."""
        if self.torn_down:
            return self.leaks
        self.torn_down = True
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
        try:
            if self.bus is not None:
                self.bus.close()
            infrastructure = ('nm', 'mm', 'peer', 'modem', 'polkit', 'bus')
            for name in [n for n in self.procs if n not in infrastructure] + list(infrastructure):
                if name in self.procs:
                    self.stop(name, 15 if name == 'nm' else 5)
            for ns in (self.ns_dev, self.ns_inet):
                subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
            self.leaks = self.find_leftovers()
            self._sweep()
            for fd in self.pinned:
                os.close(fd)
            self.pinned = []
            if os.environ.get('SB_REAL_KEEP'):
                sys.stderr.write('rig directory kept: %s\n' % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
            if self in _live_rigs:
                _live_rigs.remove(self)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return self.leaks

    def _ours(self, pid):
        """A live process that appeared since the rig was made and carries
        its tag, lives in one of its namespaces or names its directory.
        (A plain before/after difference would also catch what other tests
        running beside this one start.)"""
        if pid in self.pids_before or pid == os.getpid() or not _alive(pid):
            return False
        if _has_env(pid, ('%s=%s' % (RIG_ENV, self.tag)).encode()):
            return True
        return _ns_inode('/proc/%d/ns/net' % pid) in self.ns_inodes or \
            _ns_inode('/proc/%d/ns/mnt' % pid) in self.mnt_inodes or self.dir in _cmdline(pid)

    def find_leftovers(self):
        """Processes, namespaces and mounts of this rig still present."""
        left = []
        deadline = time.monotonic() + 3
        while True:
            pids = [pid for pid in _proc_pids() if self._ours(pid)]
            if not pids or time.monotonic() > deadline:
                break
            time.sleep(0.05)    # a process may still be exiting after its parent's SIGTERM
        left += ['process %d: %s' % (pid, _cmdline(pid)) for pid in pids]
        names = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout
        left += ['network namespace %s' % ns for ns in (self.ns_dev, self.ns_inet)
                 if re.search(r'^%s\b' % ns, names, re.M)]
        with open('/proc/self/mountinfo') as f:
            left += ['mount: %s' % line.strip() for line in f if self.tag in line or self.dir in line]
        if os.path.exists('/run/netns'):
            left += ['/run/netns/%s' % n for n in os.listdir('/run/netns') if n.startswith(self.tag)]
        return left

    def _sweep(self):
        for pid in _proc_pids():
            if self._ours(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for ns in (self.ns_dev, self.ns_inet):
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)

    def logs(self, tail=60):
        """The tail of every log, for a failing test's report."""
        out = []
        extra = [n + '.log' for n in self.procs if n not in ('nm', 'mm', 'peer', 'modem', 'polkit', 'bus')]
        for name in extra + ['at.log', 'pppd.log', 'mm.log', 'nm.log', 'modem.log', 'peer.log', 'polkit.log']:
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors='replace') as f:
                    lines = f.readlines()[-tail:]
                out.append('---- %s (last %d lines) ----\n%s' % (name, len(lines), ''.join(lines)))
        return '\n'.join(out)

    # ---- waiting --------------------------------------------------------

    def wait_for(self, condition, what, timeout=15, proc=None):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = condition()
            except dbus.exceptions.DBusException:
                value = None
            if value:
                return value
            if proc is not None and not proc.running():
                raise RigError('%s: process exited with %s (see %s)' % (what, proc.popen.returncode,
                                                                       proc.log_path))
            if time.monotonic() > deadline:
                raise RigError('timed out after %.0f s waiting for %s' % (timeout, what))
            time.sleep(0.05)

    # ---- ModemManager ---------------------------------------------------

    def _props(self, bus_name, path, iface):
        return self.bus.call_blocking(bus_name, path, dbus.PROPERTIES_IFACE, 'GetAll', 's', (iface,))

    def mm_modems(self):
        objs = self.bus.call_blocking(MM_BUS, MM_PATH, 'org.freedesktop.DBus.ObjectManager',
                                      'GetManagedObjects', '', ())
        return {str(path): ifaces[MM_MODEM_IFACE] for path, ifaces in objs.items() if MM_MODEM_IFACE in ifaces}

    def modem(self):
        """(path, Modem properties) of the one modem, or None."""
        modems = self.mm_modems()
        return next(iter(modems.items())) if modems else None

    def sim_iccid(self, modem_props):
        sim = str(modem_props.get('Sim', '/'))
        if sim == '/':
            return None
        return str(self._props(MM_BUS, sim, MM_SIM_IFACE).get('SimIdentifier', ''))

    def wait_modem(self, timeout=15):
        """Waits until ModemManager has the modem with its SIM read; returns
        (path, properties)."""
        def ready():
            m = self.modem()
            return m if m and self.sim_iccid(m[1]) else None
        return self.wait_for(ready, 'the modem in ModemManager with a SIM', timeout)

    def modem_state(self):
        m = self.modem()
        return int(m[1]['State']) if m else None

    def mmcli(self, *args):
        return subprocess.run(['mmcli'] + list(args), capture_output=True, text=True, env=self.env,
                              timeout=30)

    # ---- NetworkManager -------------------------------------------------

    def nm_devices(self):
        paths = self.bus.call_blocking(NM_BUS, NM_PATH, NM_BUS, 'GetAllDevices', '', ())
        return {str(p): self._props(NM_BUS, p, NM_DEVICE_IFACE) for p in paths}

    def gsm_device(self):
        """(path, properties) of NetworkManager's modem device, or None."""
        for path, props in self.nm_devices().items():
            if int(props['DeviceType']) == NM_DEVICE_TYPE_MODEM:
                return path, props
        return None

    def wait_gsm_device(self, state=NM_DEVICE_STATE_DISCONNECTED, timeout=15):
        def ready():
            d = self.gsm_device()
            return d if d and int(d[1]['State']) >= state else None
        return self.wait_for(ready, 'a gsm device in NetworkManager (state >= %d)' % state, timeout)

    def nmcli(self, *args, check=True, timeout=40):
        r = subprocess.run(['nmcli'] + list(args), capture_output=True, text=True, env=self.env,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise RigError('nmcli %s: exit %d: %s%s' % (' '.join(args), r.returncode, r.stdout, r.stderr))
        return r

    def add_gsm_connection(self, name='sbreal', iccid=None, apn='internet', extra=()):
        self.nmcli('connection', 'add', 'type', 'gsm', 'con-name', name, 'ifname', '*', 'apn', apn,
                   'gsm.sim-id', iccid or self.iccid, 'connection.autoconnect', 'no',
                   'ipv6.method', 'disabled', *extra)
        return name

    def connection_up(self, name='sbreal', timeout=20):
        return self.nmcli('--wait', str(timeout), 'connection', 'up', name, timeout=timeout + 10)

    def connection_down(self, name='sbreal', timeout=20):
        return self.nmcli('--wait', str(timeout), 'connection', 'down', name, timeout=timeout + 10)

    def ip_iface(self):
        """The interface carrying the gsm connection's IP (ppp0), or None."""
        d = self.gsm_device()
        if not d or int(d[1]['State']) != NM_DEVICE_STATE_ACTIVATED:
            return None
        return str(d[1]['IpInterface']) or None

    # ---- traffic --------------------------------------------------------

    def iface_exists(self, ifname):
        return self.ns_run(self.ns_dev, 'test', '-e', '/sys/class/net/' + ifname, check=False).returncode == 0

    def counters(self, ifname):
        """(rx_bytes, tx_bytes) of an interface in the device namespace."""
        out = self.ns_run(self.ns_dev, 'cat', '/sys/class/net/%s/statistics/rx_bytes' % ifname,
                          '/sys/class/net/%s/statistics/tx_bytes' % ifname).stdout.split()
        return int(out[0]), int(out[1])

    def send_udp(self, count=100, size=1000, expect_echo=True, timeout=10):
        """A bounded UDP burst from the device namespace to the peer in the
        internet namespace; returns the sender's report."""
        r = self.ns_run(self.ns_dev, PYTHON, os.path.join(HERE, 'peer.py'), 'send', '--to', GATEWAY,
                        '--port', str(PEER_PORT), '--size', str(size), '--count', str(count),
                        '--timeout', str(timeout), *(['--expect-echo'] if expect_echo else []))
        return json.loads(r.stdout)

    def peer_totals(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(5)
            s.connect(os.path.join(self.dir, 'peer.ctl'))
            data = b''
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        return json.loads(data)

    def at_log(self):
        with open(os.path.join(self.dir, 'at.log'), errors='replace') as f:
            return f.read()


def _teardown_all():
    for rig in list(_live_rigs):
        rig.teardown()


atexit.register(_teardown_all)


class RealTestCase(unittest.TestCase):
    """One Rig per test: started in setUp, torn down and checked for
    leftovers in a cleanup (a leftover fails the test). Subclasses may set
    rig_options (Rig keyword arguments) and start_nm."""

    rig_options = {}
    start_nm = True
    rig = None

    def setUp(self):
        reason = skip_reason()
        if reason:
            self.skipTest(reason)
        self.captured_logs = ''
        self.rig = Rig(**self.rig_options)
        self.addCleanup(self._finish_rig)
        self.rig.start(nm=self.start_nm)

    def _finish_rig(self):
        self.captured_logs = self.rig.logs()
        leaks = self.rig.teardown()
        self.assertEqual(leaks, [], 'the rig left things behind')

    def run(self, result=None):
        result = result or self.defaultTestResult()
        bad = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > bad and self.captured_logs:
            sys.stderr.write('\n%s\n' % self.captured_logs)
        return result

    def activate(self):
        """The gsm connection for the rig's ICCID, up; returns the IP
        interface name."""
        self.rig.wait_gsm_device()
        self.rig.add_gsm_connection()
        self.rig.connection_up()
        return self.rig.wait_for(self.rig.ip_iface, 'the gsm device activated with an IP interface')


def main():
    """unittest's main, but exit 77 (meson's "skipped") when every case
    that ran was skipped."""
    prog = unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2), exit=False)
    result = prog.result
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)

#!/usr/bin/python3
"""The story tools/demo tells: a travel eSIM on a simulated modem, its data
budget counted, warned about, cut and lifted by the real simbudgetd.

ModemManager, NetworkManager, polkit and a desktop notification server are
python-dbusmock stand-ins on two private D-Bus buses (system and session)
made here; simbudgetd, simbudget-notify and the simbudget CLI are the ones
built in the build tree. Nothing touches the machine's own buses, and
everything started here is stopped again on exit or Ctrl-C.

Exits 0 only when every step happened as it should; a failed step names
itself and shows the end of the daemon's and the agent's logs.
"""

import argparse
import datetime
import locale
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_ROOT, 'tests', 'lib'))
import mocks  # noqa: E402
import processes  # noqa: E402
import waiting  # noqa: E402
from busnames import (DBUSMOCK_IFACE, ESIM, MM_BUS, MM_MOCK_IFACE, MM_PATH, NM_BUS,  # noqa: E402
                      NM_MOCK_PATH, NM_PATH, NOTIFY_BUS, NOTIFY_PATH, SB_BUS, SB_PROFILE_IFACE,
                      profile_path)
from privatebus import PrivateBus  # noqa: E402

# The simulated line: a Japanese travel eSIM (ICCIDs of Japan start 8981).
ICCID = '8981100031415926535'
EID = '89049032004008882600016612345678'
OPERATOR = 'JP Travel'
IMEI = '356938035643809'
CONN_ID = 'travel-jp'
CONN_UUID = '7c6f2b1e-3d4a-4e5f-8a9b-0c1d2e3f4a5b'
DATA_IFACE = 'wwan0'

# Scaled down so that it runs in about a minute: 50 MB stands for the 5 GB
# of a real plan. The steps land exactly on 80 %, 95 % and 100 %.
MB = 1000 * 1000
LIMIT = 50 * MB
EXTRA = 20 * MB
STEP = 1250 * 1000
STEPS_TO_LIMIT = LIMIT // STEP
STEPS_AFTER_OVERRIDE = 4
STATUS_AT_STEPS = (20, 36)
SET_COMMAND = ['set', CONN_ID, 'limit', '50MB', 'period', 'days:8',
               'timezone', 'Asia/Tokyo', 'warn', '80,95']

PROFILE_PATH = profile_path(ICCID)
NM_IFACE = 'org.freedesktop.NetworkManager'
NM_DEVICE_IFACE = 'org.freedesktop.NetworkManager.Device'
NM_ACTIVE_IFACE = 'org.freedesktop.NetworkManager.Connection.Active'
NM_AC_ACTIVATED = 2
NM_DEVICE_DISCONNECTED = 30
POLKIT_BUS = 'org.freedesktop.PolicyKit1'

URGENCY = {0: 'low', 1: 'normal', 2: 'critical'}

class Failure(Exception):
    """A step of the story that did not happen as it should."""


class Pace:
    """Pauses of the normal run, and of the quick one the tests use."""

    def __init__(self, fast):
        self.fast = fast
        self.step = 0.03 if fast else 0.55       # between two statistics refreshes
        self.beat = 0.1 if fast else 1.5         # between two parts of the story
        self.read = 0.2 if fast else 3.0         # after something worth reading


class Style:
    """Bold headers and coloured notifications on a terminal only."""

    def __init__(self, stream):
        tty = stream.isatty() and os.environ.get('TERM', 'dumb') != 'dumb'
        self.color = tty and 'NO_COLOR' not in os.environ
        utf8 = (stream.encoding or '').lower().replace('-', '') == 'utf8'
        self.full, self.empty = ('█', '░') if utf8 else ('#', '-')
        self.dash = '—' if utf8 else '-'
        self.columns = shutil.get_terminal_size((100, 24)).columns if tty else 0

    def _wrap(self, code, text):
        return '\033[%sm%s\033[0m' % (code, text) if self.color else text

    def bold(self, text):
        return self._wrap('1', text)

    def dim(self, text):
        return self._wrap('2', text)

    def notice(self, text):
        return self._wrap('1;33', text)

    def good(self, text):
        return self._wrap('1;32', text)

    def bad(self, text):
        return self._wrap('1;31', text)


def mb(n):
    return '%.1f MB' % (n / MB)


def size(n):
    """As the CLI writes sizes: 50 MB, 47.5 MB."""
    text = '%.1f' % (n / MB)
    return (text[:-2] if text.endswith('.0') else text) + ' MB'


def language_env(lang_option):
    """The environment that makes simbudget-notify and the CLI speak the
    user's language. GNU gettext ignores LANGUAGE in the C locale, and a
    LANG whose locale is not installed falls back to C; in both cases the
    children run in C.UTF-8 with LANGUAGE naming the language: the
    catalogs apply, only dates keep C's month names. Returns the changes to
    the environment and a line for the user (None when there is nothing to
    say)."""
    env = {}
    wanted = os.environ.get('LC_ALL') or os.environ.get('LC_MESSAGES') or os.environ.get('LANG') or ''
    language = lang_option or os.environ.get('LANGUAGE', '')
    try:
        current = locale.setlocale(locale.LC_MESSAGES, '')
        installed = True
    except locale.Error:
        current, installed = 'C', False
    base = wanted.split('.')[0].split('@')[0]
    if lang_option:
        env['LANGUAGE'] = lang_option
    if not installed and base not in ('', 'C', 'POSIX'):
        language = language or '%s:%s' % (base, base.split('_')[0])
        env['LANGUAGE'] = language
        env['LC_ALL'] = 'C.UTF-8'
        detail = '%s is not installed here: C.UTF-8 with LANGUAGE=%s' % (wanted, language)
    elif language:
        if current.split('.')[0] in ('C', 'POSIX'):
            env['LC_ALL'] = 'C.UTF-8'
        detail = 'LANGUAGE=%s' % language
    else:
        return env, None
    return env, ('%s for simbudget-notify and the CLI (%s); the narration stays English'
                 % (language.split(':')[0], detail))


class Stage:
    """The buses and processes of the demo, stopped in reverse order."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='simbudget-demo-')
        self.procs = []          # (name, Popen), in start order
        self.watched = {}        # name → Popen that must not exit on its own

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def spawn(self, name, argv, env, watch=True, stdout=None):
        with open(self.path(name + '.log'), 'w') as log:
            proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                    stdout=stdout or log, stderr=log,
                                    # whatever happens to the demo (even SIGKILL), its children go too
                                    preexec_fn=processes.die_with_parent(),
                                    # Ctrl-C reaches the demo only; it stops the rest in order
                                    start_new_session=True)
        self.procs.append((name, proc))
        if watch:
            self.watched[name] = proc
        return proc

    def start_bus(self, kind):
        """A private bus, stopped with the rest; returns its address. Its
        socket is a path, not an abstract one: simbudgetd may run in a
        network namespace of its own (below)."""
        name = kind + '-bus'
        sockets = self.path(name)
        os.mkdir(sockets)
        with open(self.path(name + '.log'), 'w') as log:
            try:
                bus = PrivateBus(kind, directory=sockets, stdin=subprocess.DEVNULL, stderr=log,
                                 preexec_fn=processes.die_with_parent(), start_new_session=True)
            except RuntimeError:
                raise Failure('dbus-daemon did not start a private %s bus:\n%s'
                              % (kind, self.log_tail(name))) from None
        self.procs.append((name, bus.proc))
        self.watched[name] = bus.proc
        return bus.address

    def check(self):
        for name, proc in self.watched.items():
            if proc.poll() is not None:
                raise Failure('%s exited unexpectedly (status %d)' % (name, proc.returncode))

    def log_tail(self, name, lines=15):
        try:
            with open(self.path(name + '.log'), errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def log_text(self, name):
        try:
            with open(self.path(name + '.log'), errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def stop(self):
        self.watched.clear()
        for _, proc in reversed(self.procs):
            processes.stop(proc)
        self.procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


class Demo:

    def __init__(self, args):
        self.args = args
        self.pace = Pace(args.fast)
        self.out = Style(sys.stdout)
        self.build = os.path.abspath(args.build_dir)
        self.daemon_bin = os.path.join(self.build, 'plugin', 'simbudgetd')
        self.agent_bin = os.path.join(self.build, 'client', 'notify', 'simbudget-notify')
        self.cli_bin = os.path.join(self.build, 'client', 'simbudget')
        self.localedir = os.path.join(self.build, 'po')
        self.stage = None
        self.notifications = []   # Notify calls: dicts, in arrival order
        self.on_screen = {}       # notification id → the last Notify with it
        self.next_notification_id = 1
        self.thresholds = []      # percents of ThresholdReached
        self.exhausted = []       # (used, limit, disconnected) of BudgetExhausted
        self.section_no = 0
        self.finished = False
        self.started = time.monotonic()

    # ---- output ---------------------------------------------------------

    def say(self, text='', indent=2):
        for line in text.split('\n'):
            print(' ' * indent + line if line else '')

    def item(self, label, text):
        self.say('%-17s %s' % (label, text))

    def section(self, title):
        self.section_no += 1
        print()
        print(self.out.bold('== %d. %s ==' % (self.section_no, title)))

    def show_command(self, argv, output):
        self.say(self.out.bold('$ simbudget ' + ' '.join(argv)))
        text = output.rstrip('\n')
        if text:
            self.say(text, indent=4)

    def bar(self, used, limit, width=20):
        filled = min(width, used * width // limit)
        return self.out.full * filled + self.out.empty * (width - filled)

    # ---- environment ----------------------------------------------------

    def base_env(self):
        env = dict(os.environ)
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.system_address
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session_address
        for name in ('G_DEBUG', 'G_MESSAGES_DEBUG', 'SIMBUDGET_TIME_OFFSET', 'STATE_DIRECTORY'):
            env.pop(name, None)
        return env

    def client_env(self):
        """The CLI and the agent: the user's language; catalogs of the
        build tree."""
        env = self.base_env()
        env.update(self.lang_env)
        if os.path.isdir(self.localedir):
            env['SIMBUDGET_LOCALEDIR'] = self.localedir
        return env

    # ---- waiting --------------------------------------------------------

    def pause(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            waiting.dispatch_pending()
            self.stage.check()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.02))

    def wait_for(self, condition, what, timeout=10):
        if not waiting.wait_until(condition, timeout, iterate=True, check=self.stage.check):
            # @what may be a function: the state at the time of failure
            raise Failure(what() if callable(what) else what)

    # ---- D-Bus access ---------------------------------------------------

    def profile(self):
        try:
            obj = self.system.get_object(SB_BUS, PROFILE_PATH)
            return obj.GetAll(SB_PROFILE_IFACE, dbus_interface=self.dbus.PROPERTIES_IFACE)
        except self.dbus.exceptions.DBusException:
            return None

    def prop(self, name):
        props = self.profile()
        return None if props is None else props[name]

    def used(self):
        return int(self.prop('UsedBytes') or 0)

    def nm_get(self, path, iface, name):
        return self.system.get_object(NM_BUS, path).Get(iface, name, dbus_interface=self.dbus.PROPERTIES_IFACE)

    def nm_active_state(self):
        """State of the demo connection's active connection; None if inactive."""
        for ac in self.nm_get(NM_PATH, NM_IFACE, 'ActiveConnections'):
            try:
                props = self.system.get_object(NM_BUS, ac).GetAll(
                    NM_ACTIVE_IFACE, dbus_interface=self.dbus.PROPERTIES_IFACE)
            except self.dbus.exceptions.DBusException:
                continue    # removed in between
            if str(props['Uuid']) == CONN_UUID:
                return int(props['State'])
        return None

    def device_autoconnect(self):
        return bool(self.nm_get(self.device, NM_DEVICE_IFACE, 'Autoconnect'))

    # ---- what the processes say -----------------------------------------

    def on_mock_call(self, name, args):
        if name == 'Notify':
            # the mock's ids: the replaced one, else a counter from 1
            if int(args[1]):
                nid = int(args[1])
            else:
                nid = self.next_notification_id
                self.next_notification_id += 1
            note = {
                'summary': str(args[3]), 'body': str(args[4]),
                'actions': [str(a) for a in args[5]],
                'urgency': int(args[6].get('urgency', 1)),
            }
            self.notifications.append(note)
            self.on_screen[nid] = note
            self.print_notification(note)
        elif name == 'CloseNotification':
            note = self.on_screen.pop(int(args[0]), None)
            if note is not None:
                self.say(self.out.dim('simbudget-notify withdrew "%s"' % note['summary']))

    def print_notification(self, note):
        label = 'notification [%s]' % URGENCY.get(note['urgency'], note['urgency'])
        pad = ' ' * (len(label) + 1)
        self.say(self.out.notice(label) + ' ' + self.out.bold(note['summary']))
        if note['body']:
            self.say(pad + note['body'])
        acts = note['actions']
        labels = [acts[i + 1] for i in range(0, len(acts) - 1, 2) if acts[i] != 'default']
        if labels:
            self.say(pad + '  '.join('[%s]' % label for label in labels))

    def on_daemon_signal(self, *args, member=None):
        if member == 'ThresholdReached':
            self.thresholds.append(int(args[0]))
            self.say(self.out.dim('simbudgetd: ThresholdReached %d %% (%s of %s)'
                                  % (int(args[0]), size(int(args[1])), size(int(args[2])))))
        elif member == 'BudgetExhausted':
            self.exhausted.append((int(args[0]), int(args[1]), bool(args[2])))
            self.say(self.out.dim('simbudgetd: BudgetExhausted (%s of %s, %s)'
                                  % (size(int(args[0])), size(int(args[1])),
                                     'disconnecting' if args[2] else 'not disconnecting')))

    # ---- the CLI --------------------------------------------------------

    def cli(self, *argv):
        env = self.client_env()
        if self.out.columns:
            env['COLUMNS'] = str(max(40, self.out.columns - 4))
        else:
            env.pop('COLUMNS', None)
        # The main context waits meanwhile: what the command causes (signals,
        # notifications) is printed after its output.
        proc = subprocess.Popen([self.cli_bin] + list(argv), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors='replace')
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise Failure('simbudget %s did not finish' % ' '.join(argv))
        self.show_command(argv, out + err)
        if proc.returncode != 0:
            raise Failure('simbudget %s exited %d:\n%s' % (' '.join(argv), proc.returncode, err))
        return out

    # ---- the story ------------------------------------------------------

    def setup(self):
        # Imported here so that --help works before the packages are there.
        import dbus
        import dbus.mainloop.glib
        self.dbus = dbus
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

        for path in (self.daemon_bin, self.agent_bin, self.cli_bin):
            if not os.access(path, os.X_OK):
                raise Failure('%s is not built (build directory %s)' % (path, self.build))

        self.lang_env, lang_note = language_env(self.args.lang)
        print(self.out.bold('simbudget demo: a travel eSIM on a simulated modem, the real simbudgetd'))
        if lang_note:
            self.say(self.out.dim('Language: ' + lang_note), indent=0)

        self.section('The machine, simulated')
        self.stage = Stage()
        self.system_address = self.stage.start_bus('system')
        self.session_address = self.stage.start_bus('session')
        self.system = dbus.bus.BusConnection(self.system_address)
        self.session = dbus.bus.BusConnection(self.session_address)
        self.say('private system and session buses under %s' % self.stage.dir)

        env = self.base_env()
        for name, template, params, session in (
                ('modemmanager', mocks.MM_TEMPLATE, {}, False),
                ('networkmanager', mocks.NM_TEMPLATE, {}, False),
                ('polkit', 'polkitd', {}, False),
                ('notifications', 'notification_daemon', {}, True)):
            self.stage.spawn(name, mocks.command(template, params, session), env)
        for bus, name in ((self.system, MM_BUS), (self.system, NM_BUS),
                          (self.system, POLKIT_BUS), (self.session, NOTIFY_BUS)):
            self.wait_for(lambda: bus.name_has_owner(name), '%s did not appear on the bus' % name, timeout=20)

        self.mm = dbus.Interface(self.system.get_object(MM_BUS, MM_PATH), MM_MOCK_IFACE)
        self.nm = dbus.Interface(self.system.get_object(NM_BUS, NM_MOCK_PATH), DBUSMOCK_IFACE)
        polkit = dbus.Interface(self.system.get_object(POLKIT_BUS, '/org/freedesktop/PolicyKit1/Authority'),
                                DBUSMOCK_IFACE)
        polkit.SetAllowed(dbus.Array(['org.simbudget.override'], signature='s'))

        self.modem = self.mm.AddModem('EM7511', ICCID, EID, dbus.UInt32(ESIM), OPERATOR, IMEI)
        self.bearer = self.mm.AddBearer(self.modem, DATA_IFACE, True)
        self.device = self.nm.AddModemDevice('modem0', self.modem, 'cdc-wdm0', DATA_IFACE,
                                             dbus.UInt32(NM_DEVICE_DISCONNECTED))
        self.connection = self.nm.AddGsmConnection(CONN_ID, CONN_UUID, ICCID,
                                                   dbus.Dictionary({}, signature='ss'), True)
        self.session.add_signal_receiver(self.on_mock_call, signal_name='MethodCalled',
                                         dbus_interface=DBUSMOCK_IFACE, path=NOTIFY_PATH)
        self.system.add_signal_receiver(self.on_daemon_signal, dbus_interface=SB_PROFILE_IFACE,
                                        path=PROFILE_PATH, member_keyword='member')

        self.item('ModemManager', 'mock; modem with an eSIM: ICCID %s, operator %s' % (ICCID, OPERATOR))
        self.item('', 'EID %s' % EID)
        self.item('NetworkManager', 'mock; modem device cdc-wdm0, connection "%s" for that SIM' % CONN_ID)
        self.item('polkit', 'mock; allows org.simbudget.override')
        self.item('notifications', 'mock server on the session bus; what it receives is shown here')

        self.start_daemon()
        self.start_agent()

    def start_daemon(self):
        argv = [self.daemon_bin, '--verbose', '--state-dir', self.stage.path('state')]
        note = ''
        # As root, a network namespace of its own: whatever the daemon does
        # to interfaces or the firewall stays out of the machine's.
        if os.geteuid() == 0 and shutil.which('unshare') and \
                subprocess.run(['unshare', '--net', 'true'], capture_output=True).returncode == 0:
            argv = ['unshare', '--net', '--'] + argv
            note = ', in a network namespace of its own'
        self.stage.spawn('simbudgetd', argv, self.base_env())
        self.wait_for(lambda: self.system.name_has_owner(SB_BUS), 'simbudgetd did not take its bus name',
                      timeout=20)
        self.wait_for(lambda: self.prop('Iccid') == ICCID,
                      'simbudgetd did not find the eSIM profile %s' % ICCID)
        props = self.profile()
        if str(props['SimType']) != 'esim' or str(props['Eid']) != EID:
            raise Failure('simbudgetd sees the profile as SimType %s, EID %s' % (props['SimType'], props['Eid']))
        self.item('simbudgetd', os.path.relpath(self.daemon_bin, SOURCE_ROOT) + note)
        self.item('', 'tracks %s: SimType %s, EID %s' % (ICCID, props['SimType'], props['Eid']))

    def start_agent(self):
        env = self.client_env()
        env['XDG_STATE_HOME'] = self.stage.path('agent-state')
        # its "Following <profile>" line tells that it listens for the signals
        env['G_MESSAGES_DEBUG'] = 'sb-notify-agent'
        self.stage.spawn('simbudget-notify', [self.agent_bin], env)
        self.wait_for(lambda: ('Following ' + PROFILE_PATH) in self.stage.log_text('simbudget-notify'),
                      'simbudget-notify did not start following simbudgetd')
        self.item('simbudget-notify', os.path.relpath(self.agent_bin, SOURCE_ROOT) + ', following simbudgetd')
        self.pause(self.pace.beat)

    def set_budget(self):
        self.section('A budget for the trip: 50 MB for 8 days (standing in for 5 GB)')
        self.cli(*SET_COMMAND)
        self.wait_for(lambda: int(self.prop('Limit')) == LIMIT and
                      [int(t) for t in self.prop('Thresholds')] == [80, 95],
                      lambda: 'simbudgetd did not take the budget from NetworkManager (Limit %s, Thresholds %s)'
                      % (self.prop('Limit'), self.prop('Thresholds')))
        self.say(self.out.dim('simbudgetd read it from the connection: limit %s, warnings at 80 %% and 95 %%, %s'
                              % (size(LIMIT), self.prop('Period'))))
        self.pause(self.pace.beat)

        self.say('The traveller lands and connects:')
        self.nm.ActivateGsmConnection(self.connection, self.device, DATA_IFACE)
        self.mm.ConnectBearer(self.bearer, DATA_IFACE)
        self.wait_for(lambda: self.nm_active_state() == NM_AC_ACTIVATED, 'NetworkManager did not activate %s' % CONN_ID)
        self.wait_for(lambda: bool(self.prop('Active')), 'simbudgetd did not see the bearer connect')
        self.say('NetworkManager activated "%s"; ModemManager connected the bearer on %s' % (CONN_ID, DATA_IFACE))
        self.cli('status')
        self.pause(self.pace.read)

    def refresh(self, session_rx, session_tx, expect_used):
        """One ModemManager statistics refresh; returns once simbudgetd
        has counted it."""
        self.mm.SetBearerStats(self.bearer, self.dbus.UInt64(session_rx), self.dbus.UInt64(session_tx))
        self.wait_for(lambda: self.used() == expect_used,
                      lambda: 'simbudgetd counts %s, ModemManager reported %s in all'
                      % (mb(self.used()), mb(expect_used)))

    def progress(self):
        props = self.profile()
        if props is None:
            raise Failure('simbudgetd no longer shows the profile %s' % ICCID)
        used, limit = int(props['UsedBytes']), int(props['Limit']) + int(props['ExtraAllowance'])
        self.say('used %8s of %s  %s %3d %%  %s' % (mb(used), size(limit), self.bar(used, limit),
                                                  used * 100 // limit, props['State']))

    @staticmethod
    def split(total):
        """Mostly downloads, as on a phone."""
        tx = total // 10
        return total - tx, tx

    def wait_notifications(self, count, what):
        self.wait_for(lambda: len(self.notifications) >= count,
                      'no notification %s reached the notification server' % what)

    def traffic(self):
        self.section('Traffic')
        self.say("Each step is one of ModemManager's 30-second statistics refreshes, compressed.")
        # step → (threshold, notifications by then)
        warnings = {LIMIT * 80 // 100 // STEP: (80, 1), LIMIT * 95 // 100 // STEP: (95, 2)}
        for step in range(1, STEPS_TO_LIMIT):
            rx, tx = self.split(step * STEP)
            self.refresh(rx, tx, step * STEP)
            if step in warnings:
                percent, count = warnings[step]
                self.progress()
                self.wait_for(lambda: percent in self.thresholds,
                              'simbudgetd did not signal ThresholdReached %d %%' % percent)
                self.wait_notifications(count, 'for %d %%' % percent)
                self.pause(self.pace.read)
            elif step % 4 == 0:
                self.progress()
            if step in STATUS_AT_STEPS:
                self.cli('status', CONN_ID)
                self.pause(self.pace.beat)
            self.pause(self.pace.step)
        # one refresh short of the budget, the line is still up
        if self.nm_active_state() != NM_AC_ACTIVATED or self.exhausted:
            raise Failure('the connection was cut before the budget was spent (at %s)' % mb(self.used()))

    def cut(self):
        self.section('The budget is spent: the connection is cut')
        rx, tx = self.split(LIMIT)
        self.refresh(rx, tx, LIMIT)
        self.progress()
        self.wait_for(lambda: self.exhausted, 'simbudgetd did not signal BudgetExhausted')
        used, limit, disconnected = self.exhausted[0]
        if (used, limit, disconnected) != (LIMIT, LIMIT, True):
            raise Failure('BudgetExhausted said %s of %s, disconnected %s; expected the cut at %s'
                          % (mb(used), mb(limit), disconnected, mb(LIMIT)))
        self.wait_for(lambda: self.nm_active_state() is None, 'NetworkManager still has %s active' % CONN_ID)
        self.wait_for(lambda: not self.device_autoconnect(), 'the modem device still autoconnects')
        self.say('NetworkManager: "%s" deactivated, device autoconnect off (so it stays down)' % CONN_ID)
        # what ModemManager does when NetworkManager hangs up
        self.mm.DisconnectBearer(self.bearer)
        self.wait_for(lambda: not self.prop('Active'), 'simbudgetd still sees the bearer connected')
        self.say('ModemManager: bearer disconnected')
        self.wait_notifications(3, 'for the cut-off')
        if self.notifications[2]['urgency'] != 2:
            raise Failure('the cut-off notification is not critical (urgency %d)' % self.notifications[2]['urgency'])
        if self.prop('State') != 'exhausted':
            raise Failure('the profile is %s, not exhausted' % self.prop('State'))
        self.pause(self.pace.read)
        self.cli('status')
        self.pause(self.pace.read)

    def override(self):
        self.section('Allowing 20 MB more')
        self.cli('override', ICCID, '20MB')
        self.wait_for(lambda: self.prop('State') == 'overridden' and int(self.prop('ExtraAllowance')) == EXTRA,
                      lambda: 'the override did not take (state %s, extra allowance %s)'
                      % (self.prop('State'), self.prop('ExtraAllowance')))
        self.wait_for(lambda: self.nm_active_state() == NM_AC_ACTIVATED,
                      'simbudgetd did not bring %s back after the override' % CONN_ID)
        self.wait_for(lambda: self.device_autoconnect(), 'the modem device autoconnect was not restored')
        self.say('NetworkManager: "%s" activated again by simbudgetd, device autoconnect restored' % CONN_ID)
        self.mm.ConnectBearer(self.bearer, DATA_IFACE)
        self.wait_for(lambda: bool(self.prop('Active')), 'simbudgetd did not see the bearer connect again')
        self.say('ModemManager: bearer connected; a new session, its counters start from zero')
        self.pause(self.pace.beat)
        for step in range(1, STEPS_AFTER_OVERRIDE + 1):
            rx, tx = self.split(step * STEP)
            self.refresh(rx, tx, LIMIT + step * STEP)
            self.pause(self.pace.step)
        self.progress()
        if self.nm_active_state() != NM_AC_ACTIVATED:
            raise Failure('the connection went down again within the extra allowance')
        self.cli('status', CONN_ID)
        self.pause(self.pace.read)

    def history(self):
        self.section('History')
        # the last three hours, in the plan's zone (where its hours are cut)
        tokyo = datetime.datetime.now(zoneinfo.ZoneInfo('Asia/Tokyo')) - datetime.timedelta(hours=2)
        self.cli('history', ICCID, '--by', 'hour', '--since', tokyo.strftime('%Y-%m-%dT%H:00'))

    def run(self):
        self.setup()
        self.set_budget()
        self.traffic()
        self.cut()
        self.override()
        self.history()
        self.pause(self.pace.beat)
        if len(self.notifications) < 3 or self.thresholds[:2] != [80, 95]:
            raise Failure('expected warnings at 80 %% and 95 %% and a cut-off; simbudgetd signalled %s, '
                          '%d notifications' % (self.thresholds, len(self.notifications)))
        print()
        self.finished = True
        print(self.out.good('Done in %d s: warned at 80 %% and 95 %%, cut at exactly %s, '
                            'back online after the override.' % (time.monotonic() - self.started, size(LIMIT))))

    def keep(self):
        """Leaves it all running for the CLI until Ctrl-C."""
        cli = self.cli_bin
        total_rx, total_tx = self.split(STEPS_AFTER_OVERRIDE * STEP + 10 * MB)
        print()
        print(self.out.bold('Still running. In another terminal:'))
        exports = {'DBUS_SYSTEM_BUS_ADDRESS': self.system_address}
        if 'SIMBUDGET_LOCALEDIR' in self.client_env():
            exports['SIMBUDGET_LOCALEDIR'] = self.localedir
        exports.update(self.lang_env)
        for key, value in exports.items():
            self.say('export %s=%s' % (key, shlex.quote(value)))
        self.say('%s status' % cli)
        self.say('%s monitor' % cli)
        self.say('%s history %s --by hour' % (cli, ICCID[-6:]))
        self.say('%s override %s unlimited' % (cli, CONN_ID))
        self.say('# 10 MB more traffic, as a ModemManager statistics refresh:')
        self.say('gdbus call --system --dest %s --object-path %s --method %s.SetBearerStats %s %d %d'
                 % (MM_BUS, MM_PATH, MM_MOCK_IFACE, self.bearer, total_rx, total_tx))
        print(self.out.dim('Notifications still show up here. Ctrl-C stops everything.'))
        while True:
            self.pause(3600)

    def report_failure(self, failure):
        print()
        print(self.out.bad('FAILED: %s' % failure))
        if self.stage is not None:
            for name in ('simbudgetd', 'simbudget-notify'):
                tail = self.stage.log_tail(name)
                if tail:
                    print(self.out.dim('---- last lines of the %s log ----' % name))
                    print(tail.rstrip('\n'))

    def close(self):
        if self.stage is not None:
            self.stage.stop()


def on_sigterm(signum, frame):
    # the orderly way out, as for Ctrl-C
    raise KeyboardInterrupt()


def main():
    parser = argparse.ArgumentParser(
        prog='tools/demo',
        description='A travel eSIM on a simulated modem: its budget counted, warned about, cut and '
                    'lifted by the real simbudgetd, on private D-Bus buses.')
    parser.add_argument('--build-dir', default=os.environ.get('SB_BUILD', 'build'),
                        help='the meson build directory (default: $SB_BUILD or build)')
    parser.add_argument('--fast', action='store_true', default=os.environ.get('SB_DEMO_FAST') == '1',
                        help='the same steps with short pauses (for tests; also SB_DEMO_FAST=1)')
    parser.add_argument('--keep', action='store_true',
                        help='leave everything running afterwards, to explore with the CLI')
    parser.add_argument('--lang', metavar='LL',
                        help='the language of simbudget-notify and the CLI, e.g. ja or zh_CN '
                             '(default: LANGUAGE/LANG)')
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True, errors='replace')

    # Ctrl-C even when started with SIGINT ignored (a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_sigterm)
    demo = Demo(args)
    status = 0
    try:
        demo.run()
        if args.keep:
            demo.keep()
    except Failure as failure:
        demo.report_failure(failure)
        status = 1
    except KeyboardInterrupt:
        print()
        print('Stopped.' if demo.finished else 'Interrupted.')
        status = 0 if demo.finished else 130
    finally:
        demo.close()
    return status


if __name__ == '__main__':
    sys.exit(main())

"""Harness for simbudget-notify's tests: a private system bus with a
python-dbusmock stand-in for simbudgetd (tests/cli/simbudget_mock.py), a
private session bus with dbusmock's stock notification_daemon template, and
the built agent as a subprocess with warnings fatal and its own
XDG_STATE_HOME."""

import configparser
import datetime
import gettext
import os
import re
import subprocess
import sys
import tempfile
import zoneinfo

import dbus
import dbusmock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import processes  # noqa: E402
import testmain  # noqa: E402
import waiting  # noqa: E402
from busnames import NOTIFY_BUS, NOTIFY_IFACE, NOTIFY_PATH, SB_BUS, SB_PATH  # noqa: E402
from busnames import profile_path  # noqa: E402
from bustestcase import PrivateBusTestCase  # noqa: E402
from privatebus import PrivateBus  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SB_TEMPLATE = os.environ.get('SB_MOCK_TEMPLATE') or \
    os.path.join(os.path.dirname(HERE), 'cli', 'simbudget_mock.py')

TRAVEL = '8981100022152233440'
HOME = '8944500102198304826'
GB = 1000 * 1000 * 1000

main = testmain.main  # the test files' main()


def c_format(fmt, *args):
    """printf-style %s/%u/%% with optional positional %N$s, as translations
    may reorder arguments."""
    index = iter(range(len(args)))

    def sub(m):
        if m.group(0) == '%%':
            return '%'
        n = int(m.group(1)) - 1 if m.group(1) else next(index)
        return str(args[n])
    return re.sub(r'%%|%(?:(\d+)\$)?[su]', sub, fmt)


def date_text(when, zone, fmt='%-d %b at %H:%M'):
    """@when in @zone as the agent writes it (g_date_time_format and
    glibc's strftime agree on these conversions)."""
    return datetime.datetime.fromtimestamp(when, zoneinfo.ZoneInfo(zone)).strftime(fmt)


def notification_ids(calls):
    """The id the stock notification_daemon mock gave each Notify call: the
    replaced id, else the next of a counter from 1."""
    ids, next_id = [], 1
    for call in calls:
        if call[1]:
            ids.append(int(call[1]))
        else:
            ids.append(next_id)
            next_id += 1
    return ids


class NotifyTestCase(PrivateBusTestCase):
    """One pair of private buses per test process (meson runs one method per
    process); fresh mocks and a fresh state directory per test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.system_con = cls.dbus_con
        cls.session_bus = PrivateBus('session')
        cls.session_bus.export()
        cls.session_con = cls.get_dbus(system_bus=False)

    @classmethod
    def tearDownClass(cls):
        cls.session_con.close()
        cls.session_bus.stop()
        super().tearDownClass()

    def setUp(self):
        self.agent_bin = os.environ.get('SB_NOTIFY')
        if not self.agent_bin:
            self.fail('SB_NOTIFY is not set (path to the built simbudget-notify)')
        state = tempfile.TemporaryDirectory()
        self.addCleanup(state.cleanup)
        self.state_home = state.name
        self.memory_file = os.path.join(self.state_home, 'simbudget', 'notify.ini')
        self.sb = None
        self.sb_main = None
        self.notify = None
        self.agent = None
        self.agent_log = None

    # ---- processes ------------------------------------------------------

    _stop = staticmethod(processes.stop)  # for the test files

    def _spawn_mock(self, template, system_bus, name, path):
        # With -t the template is loaded before the mock serves its first
        # call, so nobody sees the name without the methods.
        argv = [sys.executable, '-m', 'dbusmock', '-t', template]
        argv.append('--system' if system_bus else '--session')
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        self.addCleanup(processes.stop, proc)
        self.wait_for_bus_object(name, path, system_bus=system_bus, timeout=100)
        con = self.system_con if system_bus else self.session_con
        return proc, con.get_object(name, path)

    def start_daemon(self):
        """The simbudgetd stand-in; its control interface is self.sb."""
        self.sb_proc, self.sb_main = self._spawn_mock(SB_TEMPLATE, True, SB_BUS, SB_PATH)
        self.sb = dbus.Interface(self.sb_main, dbusmock.MOCK_IFACE)
        return self.sb

    def stop_daemon(self):
        self.stop_service(self.sb_proc, SB_BUS)

    def start_notification_server(self):
        self.notify_proc, self.notify = self._spawn_mock('notification_daemon', False,
                                                         NOTIFY_BUS, NOTIFY_PATH)
        return self.notify

    def agent_env(self, env=None):
        e = dict(os.environ)
        e['XDG_STATE_HOME'] = self.state_home
        e['G_DEBUG'] = 'fatal-warnings,fatal-criticals'
        e['G_MESSAGES_DEBUG'] = 'sb-notify-server sb-notify-agent'
        e['LC_ALL'] = 'C.UTF-8'
        e['TZ'] = 'UTC'
        e.pop('LANGUAGE', None)
        if env:
            e.update(env)
        return e

    def managed_objects_calls(self):
        if self.sb_main is None:
            return 0
        return len(self.sb_main.GetMethodCalls('GetManagedObjects',
                                               dbus_interface=dbusmock.MOCK_IFACE))

    def start_agent(self, env=None, wait_ready=True):
        """Starts simbudget-notify; with @wait_ready, returns once it has read
        the daemon's objects (signals emitted after that reach it)."""
        before = self.managed_objects_calls()
        self.agent_log = tempfile.TemporaryFile(mode='w+')
        self.addCleanup(self.agent_log.close)
        self.agent = subprocess.Popen([self.agent_bin], stdout=self.agent_log,
                                      stderr=subprocess.STDOUT, env=self.agent_env(env))
        self.addCleanup(processes.stop, self.agent)
        if wait_ready:
            self.assert_eventually(lambda: self.managed_objects_calls() > before,
                                   'the agent did not read the daemon\'s objects')
        return self.agent

    def agent_output(self):
        self.agent_log.flush()
        self.agent_log.seek(0)
        return self.agent_log.read()

    def stop_agent(self):
        """SIGTERM: the agent exits 0 without a GLib warning."""
        self.agent.terminate()
        code = self.agent.wait(10)
        out = self.agent_output()
        self.assertEqual(code, 0, 'simbudget-notify exited %d:\n%s' % (code, out))
        self.assertNotIn('WARNING', out)
        self.assertNotIn('CRITICAL', out)
        self.agent = None

    def remembered(self, iccid):
        """The events the agent's memory file lists for @iccid."""
        memory = configparser.ConfigParser(interpolation=None)
        try:
            memory.read(self.memory_file)
            return memory['profile ' + iccid]['shown'].strip(';').split(';')
        except (configparser.Error, KeyError, UnicodeDecodeError):
            return []

    def wait_remembered(self, iccid, event):
        """The agent writes its memory once the server has answered, a
        moment after the Notify call the mock logs."""
        self.assert_eventually(lambda: event in self.remembered(iccid),
                               '%s was not remembered for %s' % (event, iccid))

    def wait_for_log(self, text):
        self.assert_eventually(lambda: text in self.agent_output(),
                               'the agent never logged %r:\n%s' % (text, self.agent_output()))

    def tearDown(self):
        # SB_TEST_DEBUG=1: what the agent logged, whatever the outcome.
        if os.environ.get('SB_TEST_DEBUG') and self.agent_log is not None:
            print('--- simbudget-notify ---\n' + self.agent_output())
        # A crash (fatal warning) shows up here rather than as a timeout.
        if self.agent is not None and self.agent.poll() is not None and self.agent.returncode != 0:
            self.fail('simbudget-notify died (%d):\n%s' % (self.agent.returncode, self.agent_output()))

    # ---- the daemon mock ------------------------------------------------

    @staticmethod
    def _variants(props):
        # Plain ints would go as 32-bit; the mock coerces to the right type.
        return dbus.Dictionary({k: dbus.Int64(v) if isinstance(v, int) and not isinstance(v, bool)
                                else v for k, v in props.items()}, signature='sv')

    def add_profile(self, iccid, **props):
        return self.sb.AddProfile(iccid, self._variants(props))

    def set_props(self, iccid, **props):
        self.sb.SetProfileProperties(iccid, self._variants(props))

    def add_travel(self, **extra):
        """An eSIM with a 5 GB monthly budget, 4 GB used, period ending at
        midnight UTC in three days."""
        end = int(datetime.datetime.combine(
            datetime.date.today() + datetime.timedelta(days=3), datetime.time(),
            tzinfo=datetime.timezone.utc).timestamp())
        props = dict(SimType='esim', OperatorName='Rakuten', ConnectionId='Japan Travel eSIM',
                     Active=True, Interface='wwan0', Limit=5 * GB, UsedBytes=4 * GB,
                     Period='monthly:1', TimeZone='UTC', PeriodStart=end - 30 * 86400,
                     PeriodEnd=end, State='warning', Action='disconnect',
                     Enforcement='disconnect')
        props.update(extra)
        self.add_profile(TRAVEL, **props)
        return props

    def add_home(self, **extra):
        """A physical SIM with a 20 GB monthly budget, no connection id."""
        props = dict(SimType='physical', OperatorName='Vodafone', Limit=20 * GB,
                     UsedBytes=16 * GB, Period='monthly:1', TimeZone='UTC',
                     PeriodStart=1700000000, PeriodEnd=1702592000, State='warning',
                     Action='disconnect', Enforcement='disconnect')
        props.update(extra)
        self.add_profile(HOME, **props)
        return props

    def profile_calls(self, iccid, method):
        obj = self.system_con.get_object(SB_BUS, profile_path(iccid))
        return [[int(a) for a in args] for _, args in
                obj.GetMethodCalls(method, dbus_interface=dbusmock.MOCK_IFACE)]

    # ---- the notification server mock -----------------------------------

    def notify_calls(self, method='Notify'):
        if self.notify is None:
            return []
        return [list(args) for _, args in
                self.notify.GetMethodCalls(method, dbus_interface=dbusmock.MOCK_IFACE)]

    def wait_notify_count(self, count):
        self.assert_eventually(lambda: len(self.notify_calls()) >= count,
                               'expected %d Notify calls, got %r' % (count, self.notify_calls()))
        calls = self.notify_calls()
        self.assertEqual(len(calls), count, calls)
        return calls

    def invoke_action(self, notification_id, action):
        self.notify.EmitSignal(NOTIFY_IFACE, 'ActionInvoked', 'us',
                               [dbus.UInt32(notification_id), action],
                               dbus_interface=dbusmock.MOCK_IFACE)

    @staticmethod
    def hints(call):
        return {str(k): v for k, v in call[6].items()}

    def assert_notification(self, call, summary, body, urgency, actions=()):
        self.assertEqual(str(call[3]), summary)
        self.assertEqual(str(call[4]), body)
        hints = self.hints(call)
        self.assertEqual(int(hints['urgency']), urgency)
        self.assertEqual(str(hints['desktop-entry']), 'simbudget-notify')
        self.assertEqual([str(a) for a in call[5]], list(actions))
        # Critical ones stay until dismissed; the others use the default.
        self.assertEqual(int(call[7]), 0 if urgency == 2 else -1)

    # ---- translations ---------------------------------------------------

    def catalog(self, lang, probe):
        """The built catalog for @lang, or skip the test when it is not
        built or does not translate @probe yet."""
        localedir = os.environ.get('SIMBUDGET_LOCALEDIR', '')
        mo = os.path.join(localedir, lang, 'LC_MESSAGES', 'simbudget.mo')
        if not os.path.exists(mo):
            self.skipTest('%s is not built' % mo)
        with open(mo, 'rb') as f:
            catalog = gettext.GNUTranslations(f)
        if catalog.gettext(probe) == probe:
            self.skipTest('%s does not translate %r yet' % (mo, probe))
        return catalog

    # ---- waiting --------------------------------------------------------

    def assert_eventually(self, condition, message=None, timeout=10):
        if not waiting.wait_until(condition, timeout, check=self._check_agent):
            log = ''
            if self.agent_log is not None:
                log = '\n--- simbudget-notify ---\n' + self.agent_output()
            self.fail((message or 'timed out waiting for %r' % condition) + log)

    def _check_agent(self):
        if self.agent is not None and self.agent.poll() is not None:
            self.fail('simbudget-notify exited (%d):\n%s' %
                      (self.agent.returncode, self.agent_output()))

#!/usr/bin/python3
"""The NetworkManager dispatcher script, run the way NetworkManager runs it,
against a private system bus where a dbusmock object stands in for
simbudgetd and records the ConnectionEvent calls it receives.

meson registers one test per method (tests/list-tests.py).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import dbus
import dbusmock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import processes  # noqa: E402
import testmain  # noqa: E402
from busnames import SB_BUS, SB_IFACE, SB_PATH  # noqa: E402
from bustestcase import PrivateBusTestCase  # noqa: E402

SCRIPT = os.environ.get('SB_DISPATCHER_SCRIPT',
                        os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     '..', '..', 'dispatcher', '90-simbudget'))

UUID = '5c1e0b43-8a4d-4f0e-9d1a-2f3b6f0c9e21'

# What NetworkManager's keyfile plugin writes, abridged.
KEYFILES = {
    'gsm': ('[connection]\nid=Travel eSIM\nuuid={uuid}\ntype=gsm\n'
            'autoconnect=true\n\n[gsm]\napn=internet\nsim-id=8981100000000000001\n\n'
            '[ipv4]\nmethod=auto\n\n[user]\nsimbudget.limit=5GB\n'
            'simbudget.period=days:8\n'),
    # A [gsm] group without type=gsm: Bluetooth dial-up through a phone.
    'bluetooth-dun': ('[connection]\nid=Phone\nuuid={uuid}\ntype=bluetooth\n\n'
                      '[bluetooth]\nbdaddr=00:11:22:33:44:55\ntype=dun\n\n'
                      '[gsm]\napn=internet\n'),
    # Hand-written, with the blanks GKeyFile allows.
    'gsm-spaced': ('[connection]\n  id = Spaced\n  uuid = {uuid}\n  type = gsm\n'),
    'ethernet': ('[connection]\nid=Wired connection 1\nuuid={uuid}\n'
                 'type=ethernet\n\n[ethernet]\n\n[ipv4]\nmethod=auto\n'),
    'wifi': ('[connection]\nid=Cafe\nuuid={uuid}\ntype=wifi\n\n[wifi]\n'
             'mode=infrastructure\nssid=Cafe\n\n[ipv4]\nmethod=auto\n'),
    # "type=gsm" outside [connection] says nothing about the connection.
    'wifi-gsm-word': ('[connection]\nid=Cafe\nuuid={uuid}\ntype=wifi\n\n'
                      '[user]\ntype=gsm\n'),
}

# The PATH systemd gives nm-dispatcher, which passes it on to scripts.
SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin'


class DispatcherTest(PrivateBusTestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix='sb-dispatcher-')
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.mock = None

    def start_daemon(self, code=''):
        '''Puts the simbudgetd stand-in on the bus; @code runs per call.'''
        proc = self.spawn_server(SB_BUS, SB_PATH, SB_IFACE,
                                 system_bus=True, stdout=subprocess.DEVNULL)
        self.addCleanup(processes.stop, proc, 10)
        self.mock = dbus.Interface(self.dbus_con.get_object(SB_BUS, SB_PATH),
                                   dbusmock.MOCK_IFACE)
        self.mock.AddMethod('', 'ConnectionEvent', 'sss', '', code)

    def calls(self):
        return [[str(a) for a in args]
                for _, args in self.mock.GetMethodCalls('ConnectionEvent')]

    def keyfile(self, kind):
        # NetworkManager names keyfiles after the connection id: spaces.
        path = os.path.join(self.tmp, f'{kind} connection.nmconnection')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(KEYFILES[kind].format(uuid=UUID))
        os.chmod(path, 0o600)
        return path

    def path_with(self, *tools):
        '''A PATH holding only @tools: the script needs nothing else.'''
        bindir = os.path.join(self.tmp, 'bin')
        os.mkdir(bindir)
        for tool in tools:
            os.symlink(shutil.which(tool), os.path.join(bindir, tool))
        return bindir

    def run_script(self, action, kind='gsm', ip_iface='wwan0',
                   script=SCRIPT, path=SYSTEM_PATH, **overrides):
        '''Runs the script as nm-dispatcher does: a fresh environment, the
        interface and the action as arguments. Returns (process, seconds).'''
        env = {
            'PATH': path,
            'DBUS_SYSTEM_BUS_ADDRESS': os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
            'NM_DISPATCHER_ACTION': action,
            'CONNECTION_UUID': UUID,
            'CONNECTION_ID': 'Travel eSIM',
            'CONNECTION_DBUS_PATH': '/org/freedesktop/NetworkManager/Settings/7',
            'CONNECTION_FILENAME': self.keyfile(kind),
            'DEVICE_IFACE': 'cdc-wdm0',
        }
        if ip_iface is not None:
            env['DEVICE_IP_IFACE'] = ip_iface
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        iface_arg = ip_iface if ip_iface else env['DEVICE_IFACE']
        start = time.monotonic()
        proc = subprocess.run([script, iface_arg, action], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=20, check=False)
        return proc, time.monotonic() - start

    def assert_quiet_success(self, proc):
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, b'')
        self.assertEqual(proc.stderr, b'')

    # Mobile broadband connections: one call each, with the right arguments.

    def test_gsm_events(self):
        self.start_daemon()
        for action in ['pre-up', 'up', 'pre-down', 'down']:
            with self.subTest(action=action):
                self.mock.ClearCalls()
                proc, _ = self.run_script(action)
                self.assert_quiet_success(proc)
                self.assertEqual(self.calls(), [[action, UUID, 'wwan0']])

    def test_gsm_pre_up_through_link(self):
        # NetworkManager runs pre-up scripts from pre-up.d/, via a link.
        self.start_daemon()
        link = os.path.join(self.tmp, 'pre-up.d', '90-simbudget')
        os.mkdir(os.path.dirname(link))
        os.symlink(os.path.abspath(SCRIPT), link)
        proc, _ = self.run_script('pre-up', script=link)
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['pre-up', UUID, 'wwan0']])

    def test_ppp_bearer_passes_ip_interface(self):
        # PPP: the control interface is a tty, the data interface ppp0.
        self.start_daemon()
        proc, _ = self.run_script('up', ip_iface='ppp0', DEVICE_IFACE='ttyUSB2')
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['up', UUID, 'ppp0']])

    def test_down_without_ip_interface_passes_empty(self):
        # After deactivation there may be no IP interface: send "", never
        # the control port.
        self.start_daemon()
        proc, _ = self.run_script('down', ip_iface=None)
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['down', UUID, '']])

    def test_bluetooth_dun_is_mobile(self):
        self.start_daemon()
        proc, _ = self.run_script('up', kind='bluetooth-dun', ip_iface='ppp0')
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['up', UUID, 'ppp0']])

    def test_keyfile_with_blanks(self):
        self.start_daemon()
        proc, _ = self.run_script('up', kind='gsm-spaced')
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['up', UUID, 'wwan0']])

    # Everything else: no call.

    def test_other_connection_types_no_call(self):
        self.start_daemon()
        for kind in ['ethernet', 'wifi', 'wifi-gsm-word']:
            for action in ['pre-up', 'up', 'down']:
                with self.subTest(kind=kind, action=action):
                    proc, _ = self.run_script(action, kind=kind, ip_iface='eth0')
                    self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [])

    def test_other_actions_no_call(self):
        self.start_daemon()
        for action in ['dhcp4-change', 'dhcp6-change', 'reapply', 'vpn-up',
                       'vpn-pre-up', 'vpn-down', 'connectivity-change',
                       'hostname', '']:
            with self.subTest(action=action):
                proc, _ = self.run_script(action)
                self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [])

    def test_no_keyfile_no_call(self):
        # In-memory or external connections may have no file.
        self.start_daemon()
        for filename in [None, '', os.path.join(self.tmp, 'gone.nmconnection')]:
            with self.subTest(filename=filename):
                proc, _ = self.run_script('up', CONNECTION_FILENAME=filename)
                self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [])

    def test_no_uuid_no_call(self):
        self.start_daemon()
        proc, _ = self.run_script('up', CONNECTION_UUID=None)
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [])

    # Which D-Bus tool: busctl, else dbus-send, else nothing.

    def test_busctl_alone_suffices(self):
        self.start_daemon()
        proc, _ = self.run_script('up', path=self.path_with('busctl'))
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['up', UUID, 'wwan0']])

    def test_dbus_send_without_busctl(self):
        self.start_daemon()
        proc, _ = self.run_script('pre-up', path=self.path_with('dbus-send'))
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [['pre-up', UUID, 'wwan0']])

    def test_no_dbus_tool_quiet(self):
        self.start_daemon()
        proc, _ = self.run_script('up', path=self.path_with())
        self.assert_quiet_success(proc)
        self.assertEqual(self.calls(), [])

    # The daemon missing or stuck must not hold NetworkManager up.

    def test_daemon_absent(self):
        for tools in [('busctl',), ('dbus-send',)]:
            with self.subTest(tools=tools):
                proc, seconds = self.run_script('pre-up', path=self.path_with(*tools))
                shutil.rmtree(os.path.join(self.tmp, 'bin'))
                self.assert_quiet_success(proc)
                self.assertLess(seconds, 3)

    def test_no_bus(self):
        proc, seconds = self.run_script(
            'pre-up', DBUS_SYSTEM_BUS_ADDRESS=f'unix:path={self.tmp}/no-such-bus')
        self.assert_quiet_success(proc)
        self.assertLess(seconds, 3)

    def test_daemon_hanging(self):
        self.start_daemon('import time; time.sleep(10)')
        for tools in [('busctl',), ('dbus-send',)]:
            with self.subTest(tools=tools):
                proc, seconds = self.run_script('pre-up', path=self.path_with(*tools))
                shutil.rmtree(os.path.join(self.tmp, 'bin'))
                self.assert_quiet_success(proc)
                self.assertGreaterEqual(seconds, 1.5)  # it did wait for the reply
                self.assertLess(seconds, 2.5)

    # The script itself.

    def test_shellcheck(self):
        proc = subprocess.run(['shellcheck', '--shell=sh', '--severity=style', SCRIPT],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


if __name__ == '__main__':
    testmain.main()

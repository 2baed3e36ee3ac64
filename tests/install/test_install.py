#!/usr/bin/python3
"""`meson install` into a scratch DESTDIR, then: is every file where
systemd, dbus-daemon, polkit, NetworkManager, bash-completion, the desktop
session, man and gettext look for it, and does each say what it must?

The expected places are the standard ones below the prefix, not whatever
the build chose: a build that installs a unit outside the prefix fails.

meson registers one test per method (tests/list-tests.py) per
id. The environment comes from tests/install/meson.build.
"""

import gettext
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import privatebus  # noqa: E402
import processes  # noqa: E402
import testmain  # noqa: E402
from busnames import SB_BUS, SB_PATH  # noqa: E402

BUILD_ROOT = os.environ.get('SB_BUILD_ROOT', '')
PREFIX = os.environ.get('SB_PREFIX', '/usr/local')
BINDIR = os.environ.get('SB_BINDIR', PREFIX + '/bin')
LIBEXECDIR = os.environ.get('SB_LIBEXECDIR', PREFIX + '/libexec')
MANDIR = os.environ.get('SB_MANDIR', PREFIX + '/share/man')
SYSCONFDIR = os.environ.get('SB_SYSCONFDIR', PREFIX + '/etc')
LOCALEDIR = os.environ.get('SB_LOCALEDIR', PREFIX + '/share/locale')
POLKIT_DTD = os.environ.get('SB_POLKIT_DTD', '/usr/share/polkit-1/policyconfig-1.dtd')
NM_POLICY = '/usr/share/polkit-1/actions/org.freedesktop.NetworkManager.policy'

# Where each consumer looks, relative to the prefix.
UNIT = 'lib/systemd/system/simbudget.service'
USER_UNIT = 'lib/systemd/user/simbudget-notify.service'
USER_UNIT_WANTS = 'lib/systemd/user/graphical-session.target.wants/simbudget-notify.service'
SYSUSERS = 'lib/sysusers.d/simbudget.conf'
DBUS_POLICY = 'share/dbus-1/system.d/org.simbudget.SimBudget1.conf'
DBUS_ACTIVATION = 'share/dbus-1/system-services/org.simbudget.SimBudget1.service'
DBUS_INTERFACE = 'share/dbus-1/interfaces/org.simbudget.SimBudget1.xml'
POLKIT_ACTIONS = 'share/polkit-1/actions/org.simbudget.policy'
POLKIT_RULES = 'share/polkit-1/rules.d/simbudget-nm.rules'
COMPLETION = 'share/bash-completion/completions/simbudget'
DISPATCHER = 'lib/NetworkManager/dispatcher.d/90-simbudget'
DISPATCHER_LINKS = ['lib/NetworkManager/dispatcher.d/pre-up.d/90-simbudget',
                    'lib/NetworkManager/dispatcher.d/pre-down.d/90-simbudget']

LANGUAGES = ['ja', 'zh_CN']


def parse_ini(path):
    '''systemd/D-Bus/desktop files: {section: {key: [values]}}; keys repeat.'''
    sections = {}
    current = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('['):
                current = sections.setdefault(line[1:-1], {})
                continue
            key, _, value = line.partition('=')
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD_ROOT:
            raise unittest.SkipTest('SB_BUILD_ROOT is not set: run through meson test')
        cls.tmp = tempfile.mkdtemp(prefix='sb-install-')
        cls.destdir = os.path.join(cls.tmp, 'dest')
        proc = run(['meson', 'install', '-C', BUILD_ROOT, '--no-rebuild', '--quiet',
                    '--destdir', cls.destdir])
        if proc.returncode != 0:
            shutil.rmtree(cls.tmp)
            raise AssertionError('meson install failed:\n' + proc.stdout + proc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def installed(self, path):
        '''@path (relative to the prefix, or absolute) inside DESTDIR.'''
        if not os.path.isabs(path):
            path = os.path.join(PREFIX, path)
        return os.path.join(self.destdir, path.lstrip('/'))

    def assert_installed(self, path):
        full = self.installed(path)
        self.assertTrue(os.path.isfile(full), f'{path} is not installed (looked for {full})')
        return full

    # Everything in its place.

    def test_files_in_place(self):
        for path in [UNIT, USER_UNIT, SYSUSERS, DBUS_POLICY, DBUS_ACTIVATION,
                     DBUS_INTERFACE, POLKIT_ACTIONS, POLKIT_RULES, COMPLETION,
                     DISPATCHER,
                     os.path.join(MANDIR, 'man1', 'simbudget.1'),
                     os.path.join(MANDIR, 'man8', 'simbudgetd.8'),
                     os.path.join(SYSCONFDIR, 'xdg', 'autostart', 'simbudget-notify.desktop')]:
            with self.subTest(path=path):
                self.assert_installed(path)

    def test_daemon_installed(self):
        daemon = self.assert_installed(os.path.join(LIBEXECDIR, 'simbudgetd'))
        self.assertTrue(os.access(daemon, os.X_OK))

    def test_cli_runs_the_installed_modify_helper(self):
        '''`simbudget` itself reads; the verbs that change something run
        simbudget-modify from libexecdir, found from the installed place.'''
        modify = self.assert_installed(os.path.join(LIBEXECDIR, 'simbudget-modify'))
        self.assertTrue(os.access(modify, os.X_OK))
        cli = self.assert_installed(os.path.join(BINDIR, 'simbudget'))
        env = dict(os.environ, LC_ALL='C.UTF-8')
        for verb, message in [('set', 'set needs a CONNECTION'), ('unset', 'unset needs a CONNECTION'),
                              ('override', 'override needs a PROFILE')]:
            with self.subTest(verb=verb):
                proc = subprocess.run([cli, verb], capture_output=True, text=True, env=env)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(message, proc.stderr)
        # without it, a clear error instead of a crash
        os.rename(modify, modify + '.away')
        try:
            proc = subprocess.run([cli, 'set'], capture_output=True, text=True, env=env)
        finally:
            os.rename(modify + '.away', modify)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('simbudget-modify is not installed', proc.stderr)

    def test_locales(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                mo = self.assert_installed(
                    os.path.join(LOCALEDIR, lang, 'LC_MESSAGES', 'simbudget.mo'))
                with open(mo, 'rb') as f:
                    catalog = gettext.GNUTranslations(f)
                self.assertEqual(catalog.info().get('language'), lang)

    # systemd

    def test_unit(self):
        unit = parse_ini(self.assert_installed(UNIT))
        service = unit['Service']
        self.assertEqual(service['Type'], ['dbus'])
        self.assertEqual(service['BusName'], [SB_BUS])
        self.assertEqual(service['ExecStart'], [os.path.join(LIBEXECDIR, 'simbudgetd')])
        self.assertEqual(service['User'], ['simbudget'])
        self.assertEqual(service['StateDirectory'], ['simbudget'])
        self.assertEqual(service['AmbientCapabilities'], ['CAP_NET_ADMIN'])
        self.assertEqual(service['CapabilityBoundingSet'], ['CAP_NET_ADMIN'])
        self.assertEqual(service['RestrictAddressFamilies'], ['AF_UNIX AF_NETLINK'])
        self.assertEqual(unit['Install']['WantedBy'], ['multi-user.target'])

    def verify_unit(self, unit_path, exec_start, user=False):
        '''systemd-analyze verify, with ExecStart pointed into DESTDIR (the
        installed path does not exist on this machine) and man pages looked
        up in DESTDIR. Warnings count as failures.'''
        with open(unit_path, encoding='utf-8') as f:
            lines = [f'ExecStart={exec_start}' if line.startswith('ExecStart=') else line.rstrip('\n')
                     for line in f]
        copy_dir = tempfile.mkdtemp(dir=self.tmp)
        copy = os.path.join(copy_dir, os.path.basename(unit_path))
        with open(copy, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        env = dict(os.environ, MANPATH=self.installed(MANDIR))
        argv = ['systemd-analyze']
        if user:
            runtime = tempfile.mkdtemp(dir=self.tmp)
            env['XDG_RUNTIME_DIR'] = runtime
            argv.append('--user')
        proc = run(argv + ['verify', copy], env=env)
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ''))

    def test_unit_verifies(self):
        self.verify_unit(self.assert_installed(UNIT),
                         self.installed(os.path.join(LIBEXECDIR, 'simbudgetd')))

    def test_unit_sandbox(self):
        # Exposure in tenths; the unit scores 1.4 ("OK") when written.
        proc = run(['systemd-analyze', 'security', '--offline=yes', '--threshold=20',
                    self.assert_installed(UNIT)])
        self.assertEqual(proc.returncode, 0, proc.stdout[-400:] + proc.stderr)

    def test_user_unit(self):
        path = self.assert_installed(USER_UNIT)
        unit = parse_ini(path)
        self.assertEqual(unit['Unit']['PartOf'], ['graphical-session.target'])
        self.assertEqual(unit['Install']['WantedBy'], ['graphical-session.target'])
        self.assertEqual(unit['Service']['ExecStart'], [os.path.join(BINDIR, 'simbudget-notify')])
        wants = self.installed(USER_UNIT_WANTS)
        self.assertTrue(os.path.islink(wants))
        self.assertEqual(os.path.realpath(wants), os.path.realpath(path))
        # simbudget-notify comes from another part; its path is checked above.
        self.verify_unit(path, shutil.which('true'), user=True)

    def test_sysusers(self):
        with open(self.assert_installed(SYSUSERS), encoding='utf-8') as f:
            entries = [line.split() for line in f if line.strip() and not line.startswith('#')]
        self.assertEqual([e[:3] for e in entries], [['u', 'simbudget', '-']])

    # D-Bus

    def test_dbus_activation(self):
        entry = parse_ini(self.assert_installed(DBUS_ACTIVATION))['D-BUS Service']
        self.assertEqual(entry['Name'], [SB_BUS])
        self.assertEqual(entry['Exec'], [os.path.join(LIBEXECDIR, 'simbudgetd')])
        self.assertEqual(entry['User'], ['simbudget'])
        self.assertEqual(entry['SystemdService'], ['simbudget.service'])

    def test_dbus_policy_rules(self):
        root = ET.parse(self.assert_installed(DBUS_POLICY)).getroot()
        policies = {}
        for policy in root.findall('policy'):
            key = ('user', policy.get('user')) if policy.get('user') else \
                  ('context', policy.get('context'))
            policies[key] = [(rule.tag, rule.attrib) for rule in policy]

        owners = sorted(who for (kind, who), rules in policies.items()
                        if kind == 'user' and ('allow', {'own': SB_BUS}) in rules)
        self.assertEqual(owners, ['root', 'simbudget'])

        default = policies[('context', 'default')]
        self.assertNotIn(('allow', {'own': SB_BUS}), default)
        self.assertFalse([a for tag, a in default if tag == 'allow' and 'own' in a])
        self.assertIn(('deny', {'send_destination': SB_BUS,
                                'send_interface': 'org.simbudget.SimBudget1',
                                'send_member': 'ConnectionEvent'}), default)
        # The deny is the last word for everyone but root.
        last = [a for tag, a in default if a.get('send_destination') == SB_BUS][-1]
        self.assertEqual(last.get('send_member'), 'ConnectionEvent')
        self.assertIn(('allow', {'send_destination': SB_BUS}), policies[('user', 'root')])
        self.assertFalse([a for tag, a in policies[('user', 'simbudget')] if 'send_destination' in a])

    def test_dbus_policy_enforced(self):
        '''The installed policy in a dbus-daemon set up like the system bus:
        root may call ConnectionEvent, nobody may not, and nobody may still
        read the state and call the Profile methods.'''
        if os.geteuid() != 0:
            self.skipTest('needs root to act as another user')
        os.chmod(self.tmp, 0o755)  # nobody must reach the bus socket
        bus = DBusPolicyBus(self.installed(DBUS_POLICY), tempfile.mkdtemp(dir=self.tmp))
        self.addCleanup(bus.stop)
        bus.start_service()

        def call(user, method, *args, path=SB_PATH):
            return bus.send(user, path, method, *args)

        self.assertEqual(call('root', 'org.simbudget.SimBudget1.ConnectionEvent',
                              'string:up', 'string:uuid', 'string:wwan0'), 'ok')
        self.assertEqual(call('nobody', 'org.simbudget.SimBudget1.ConnectionEvent',
                              'string:up', 'string:uuid', 'string:wwan0'), 'denied')
        # Allowed through: the stand-in answers, so not "denied".
        for method, args in [('org.freedesktop.DBus.Properties.GetAll',
                              ['string:org.simbudget.SimBudget1']),
                             ('org.freedesktop.DBus.Introspectable.Introspect', []),
                             ('org.freedesktop.DBus.ObjectManager.GetManagedObjects', [])]:
            with self.subTest(method=method):
                self.assertNotEqual(call('nobody', method, *args), 'denied')
        self.assertNotEqual(call('nobody', 'org.simbudget.SimBudget1.Profile.Override',
                                 'uint64:0', path=SB_PATH + '/Profile/1'), 'denied')
        self.assertEqual(call('nobody', 'org.freedesktop.DBus.Properties.Set',
                              'string:org.simbudget.SimBudget1', 'string:Version',
                              'variant:string:x'), 'denied')
        self.assertEqual(bus.own('nobody'), 'denied')

    def test_interface_installed(self):
        root = ET.parse(self.assert_installed(DBUS_INTERFACE)).getroot()
        names = [i.get('name') for i in root.findall('interface')]
        self.assertIn('org.simbudget.SimBudget1', names)
        self.assertIn('org.simbudget.SimBudget1.Profile', names)

    # polkit

    def test_polkit_actions(self):
        root = ET.parse(self.assert_installed(POLKIT_ACTIONS)).getroot()
        expected = {
            'org.simbudget.override': ('auth_admin', 'auth_admin', 'yes'),
            'org.simbudget.manage': ('auth_admin_keep',) * 3,
        }
        actions = {a.get('id'): a for a in root.findall('action')}
        self.assertEqual(sorted(actions), sorted(expected))
        for action_id, (any_, inactive, active) in expected.items():
            with self.subTest(action=action_id):
                action = actions[action_id]
                defaults = action.find('defaults')
                self.assertEqual([defaults.findtext('allow_any'),
                                  defaults.findtext('allow_inactive'),
                                  defaults.findtext('allow_active')],
                                 [any_, inactive, active])
                # Without it polkit refuses the non-root daemon's checks.
                owner = [a.text for a in action.findall('annotate')
                         if a.get('key') == 'org.freedesktop.policykit.owner']
                self.assertEqual(owner, ['unix-user:simbudget'])

    def test_polkit_actions_translated(self):
        root = ET.parse(self.assert_installed(POLKIT_ACTIONS)).getroot()
        lang_attr = '{http://www.w3.org/XML/1998/namespace}lang'
        for action in root.findall('action'):
            for tag in ['description', 'message']:
                langs = {e.get(lang_attr) for e in action.findall(tag)}
                with self.subTest(action=action.get('id'), tag=tag):
                    self.assertLessEqual(set(LANGUAGES) | {None}, langs)

    def test_polkit_actions_valid(self):
        proc = run(['xmllint', '--noout', '--nonet', '--dtdvalid', POLKIT_DTD,
                    self.assert_installed(POLKIT_ACTIONS)])
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_polkit_rules_grant(self):
        '''Runs the rules file with a stand-in for polkit's JavaScript API
        over every NetworkManager action: "yes" only for network-control
        and only for the user simbudget.'''
        node = shutil.which('node') or shutil.which('nodejs')
        if not node:
            self.skipTest('node is not installed')
        if not os.path.exists(NM_POLICY):
            self.skipTest(f'{NM_POLICY} is missing')
        nm_actions = [a.get('id') for a in ET.parse(NM_POLICY).getroot().findall('action')]
        rules = self.assert_installed(POLKIT_RULES)
        users = ['simbudget', 'root', 'alice', 'nobody', 'simbudget2']
        proc = run([node, '-e', POLKIT_STAND_IN, '--', rules, ','.join(nm_actions),
                    ','.join(users)])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        granted = sorted(line for line in proc.stdout.splitlines() if line.endswith(' yes'))
        self.assertEqual(granted,
                         ['org.freedesktop.NetworkManager.network-control simbudget yes'])
        self.assertEqual(len(proc.stdout.splitlines()), len(nm_actions) * len(users))

    def test_polkit_rules_name_real_actions(self):
        # A misspelt action id would grant nothing and fail silently.
        if not os.path.exists(NM_POLICY):
            self.skipTest(f'{NM_POLICY} is missing')
        nm_actions = {a.get('id') for a in ET.parse(NM_POLICY).getroot().findall('action')}
        with open(self.assert_installed(POLKIT_RULES), encoding='utf-8') as f:
            text = f.read()
        named = set(re.findall(r'org\.freedesktop\.NetworkManager\.[\w.-]*\w', text))
        self.assertTrue(named)
        self.assertLessEqual(named, nm_actions)

    # NetworkManager

    def test_dispatcher(self):
        script = self.assert_installed(DISPATCHER)
        mode = os.lstat(script).st_mode
        # NetworkManager skips scripts that are not executable, or writable
        # by group or others.
        self.assertTrue(stat.S_ISREG(mode))
        self.assertEqual(stat.S_IMODE(mode) & 0o122, 0o100)
        for link in DISPATCHER_LINKS:
            with self.subTest(link=link):
                full = self.installed(link)
                self.assertTrue(os.path.islink(full), f'{link} is not a link')
                # Relative, so that it holds once DESTDIR is gone.
                self.assertFalse(os.path.isabs(os.readlink(full)))
                self.assertEqual(os.path.realpath(full), os.path.realpath(script))

    # The desktop session

    def test_autostart(self):
        path = self.assert_installed(
            os.path.join(SYSCONFDIR, 'xdg', 'autostart', 'simbudget-notify.desktop'))
        proc = run(['desktop-file-validate', path])
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ''))
        entry = parse_ini(path)['Desktop Entry']
        self.assertEqual(entry['Exec'], [os.path.join(BINDIR, 'simbudget-notify')])
        self.assertEqual(entry['NoDisplay'], ['true'])
        self.assertEqual(entry['X-systemd-skip'], ['true'])
        self.assertEqual(entry['X-GNOME-Autostart-Phase'], ['Applications'])
        for lang in LANGUAGES:
            for key in ['Name', 'Comment']:
                with self.subTest(key=f'{key}[{lang}]'):
                    self.assertIn(f'{key}[{lang}]', entry)

    # Documentation

    def test_man_pages(self):
        for page, words in [
                ('man1/simbudget.1', ['status', 'history', 'set', 'unset', 'override',
                                      'set-used', 'monitor', '--json', '--by', '--since',
                                      '--until', '--csv', 'limit', 'period', 'start',
                                      'timezone', 'warn', 'action', 'unlimited']),
                ('man8/simbudgetd.8', ['--state-dir', '--verbose', '--replace',
                                       'STATE_DIRECTORY', 'org.simbudget.override',
                                       'org.simbudget.manage', 'ConnectionEvent'])]:
            with self.subTest(page=page):
                path = self.assert_installed(os.path.join(MANDIR, page))
                proc = run(['groff', '-man', '-ww', '-z', path])
                self.assertEqual((proc.returncode, proc.stderr), (0, ''))
                # Plain text, one line per paragraph, no hyphenation.
                proc = run(['groff', '-man', '-Tutf8', '-rLL=1000n', '-rHY=0', '-P-cbou',
                            path])
                self.assertEqual(proc.returncode, 0, proc.stderr)
                text = proc.stdout.replace('\u2010', '-').replace('\u2212', '-')
                for word in words:
                    self.assertIn(word, text)


# polkit's rule API, as much as a rule may use, driving the installed rules.
POLKIT_STAND_IN = r'''
const fs = require('fs');
const rules = [];
const polkit = {
  Result: { YES: 'yes', NO: 'no', AUTH_SELF: 'auth_self', AUTH_SELF_KEEP: 'auth_self_keep',
            AUTH_ADMIN: 'auth_admin', AUTH_ADMIN_KEEP: 'auth_admin_keep', NOT_HANDLED: null },
  addRule: function (rule) { rules.push(rule); },
  addAdminRule: function () {},
  log: function () {},
  spawn: function () { throw new Error('spawn'); },
};
const [rulesFile, actionList, userList] = process.argv.slice(-3);
new Function('polkit', fs.readFileSync(rulesFile, 'utf8'))(polkit);
const [actions, users] = [actionList, userList].map(s => s.split(','));
for (const id of actions) {
  for (const user of users) {
    const action = { id: id, lookup: function () { return undefined; } };
    const subject = { user: user, pid: 4242, groups: [user], local: false, active: false,
                      session: '', seat: '', isInGroup: function (g) { return g === user; },
                      isInNetGroup: function () { return false; } };
    let result = 'not-handled';
    for (const rule of rules) {
      const r = rule(action, subject);
      if (r !== undefined && r !== null) { result = r; break; }
    }
    console.log(id + ' ' + user + ' ' + result);
  }
}
'''


class DBusPolicyBus:
    '''A dbus-daemon with the system bus's default policy plus one service
    policy, and a python-dbusmock object owning org.simbudget.SimBudget1.'''

    def __init__(self, policy, workdir):
        os.chmod(workdir, 0o755)
        rules = privatebus.SYSTEM_POLICY + '  <include>%s</include>\n' % policy
        self.bus = privatebus.PrivateBus('system', rules, directory=workdir)
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        self.service = None

    def start_service(self):
        # pylint: disable=consider-using-with
        self.service = subprocess.Popen(
            [sys.executable, '-m', 'dbusmock', '--system', SB_BUS, SB_PATH,
             'org.simbudget.SimBudget1'],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # It is ready once it answers; GDBus's wait is bounded by the call.
        proc = run(['gdbus', 'wait', '--system', '--timeout', '10', SB_BUS], env=self.env)
        assert proc.returncode == 0, proc.stderr
        proc = run(['gdbus', 'call', '--system', '--dest', SB_BUS, '--object-path',
                    SB_PATH, '--method', 'org.freedesktop.DBus.Mock.AddMethod',
                    '', 'ConnectionEvent', 'sss', '', ''], env=self.env)
        assert proc.returncode == 0, proc.stderr

    @staticmethod
    def outcome(proc):
        if proc.returncode == 0:
            return 'ok'
        if 'AccessDenied' in proc.stderr:
            return 'denied'
        return 'error: ' + proc.stderr.strip()

    def send(self, user, path, method, *args):
        return self.outcome(run(processes.as_user(user, [
            'dbus-send', '--system', '--print-reply', '--reply-timeout=5000',
            '--dest=' + SB_BUS, path, method, *args]), env=self.env))

    def own(self, user):
        return self.outcome(run(processes.as_user(user, [
            'dbus-send', '--system', '--print-reply', '--dest=org.freedesktop.DBus',
            '/org/freedesktop/DBus', 'org.freedesktop.DBus.RequestName',
            'string:' + SB_BUS, 'uint32:4']), env=self.env))

    def stop(self):
        processes.stop(self.service, 10)
        self.bus.stop()


if __name__ == '__main__':
    testmain.main()

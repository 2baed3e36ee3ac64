#!/usr/bin/python3
"""The bash completion of simbudget, driven the way readline drives it, with
stand-ins for nmcli and `simbudget --json status` first on PATH.

meson registers one test per method (tests/list-tests.py).
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import testmain  # noqa: E402

COMPLETION = os.environ.get('SB_COMPLETION',
                            os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         '..', '..', 'data', 'simbudget.bash-completion'))
BASH_COMPLETION = os.environ.get('SB_BASH_COMPLETION',
                                 '/usr/share/bash-completion/bash_completion')

VERBS = ['history', 'monitor', 'override', 'set', 'set-used', 'status', 'unset']
KEYWORDS = ['action', 'limit', 'period', 'sim-id', 'start', 'timezone', 'warn']

# `nmcli -t -f NAME,TYPE connection show`: ':' in a name comes escaped.
NMCLI = r'''#!/bin/sh
[ "$*" = "-t -f NAME,TYPE connection show" ] || exit 2
cat <<'EOF'
Wired connection 1:802-3-ethernet
Travel eSIM:gsm
Home\:SIM:gsm
Cafe:802-11-wireless
EOF
'''

PROFILES_JSON = {
    'pretty': '''{
  "version": "0.1.0",
  "storage_state": "ok",
  "profiles": [
    {
      "object_path": "/org/simbudget/SimBudget1/Profile/8944500000000000002",
      "iccid": "8944500000000000002",
      "connection_id": "",
      "state": "untracked"
    },
    {
      "object_path": "/org/simbudget/SimBudget1/Profile/8981100000000000001",
      "iccid": "8981100000000000001",
      "connection_id": "Travel eSIM",
      "state": "ok"
    }
  ]
}''',
    'compact': ('{"version":"0.1.0","storage_state":"ok","profiles":['
                '{"iccid":"8944500000000000002","connection_id":"","state":"untracked"},'
                '{"iccid":"8981100000000000001","connection_id":"Travel eSIM","state":"ok"}]}'),
}

SIMBUDGET = '''#!/bin/sh
[ "$*" = "--json status" ] || exit 2
[ -n "${SB_FAKE_DOWN-}" ] && { echo "simbudget: the service is not running" >&2; exit 1; }
cat "$SB_FAKE_JSON"
'''

# Sets COMP_WORDS as readline splits a line (':' is a word of its own) and
# prints what _simbudget offers, one per line.
DRIVER = r'''
COMP_WORDBREAKS=$' \t\n"'"'"'><=;|&(:'
[ -n "$SB_WITH_BASH_COMPLETION" ] && . "$SB_WITH_BASH_COMPLETION"
. "$SB_COMPLETION_FILE"
COMP_WORDS=()
for word in "$@"; do
    first=1
    while :; do
        [ $first = 1 ] || COMP_WORDS+=(":")
        first=0
        COMP_WORDS+=("${word%%:*}")
        [[ $word == *:* ]] || break
        word=${word#*:}
    done
done
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_simbudget simbudget "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''


class CompletionTest(unittest.TestCase):
    with_bash_completion = True

    def setUp(self):
        if self.with_bash_completion and not os.path.isfile(BASH_COMPLETION):
            self.skipTest('bash-completion is not installed')
        tmp = tempfile.TemporaryDirectory(prefix='sb-completion-')
        self.addCleanup(tmp.cleanup)
        self.bindir = os.path.join(tmp.name, 'bin')
        os.mkdir(self.bindir)
        for name, text in [('nmcli', NMCLI), ('simbudget', SIMBUDGET)]:
            path = os.path.join(self.bindir, name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            os.chmod(path, 0o755)
        self.json = os.path.join(tmp.name, 'status.json')
        self.set_json('pretty')
        self.env = {}

    def set_json(self, kind):
        with open(self.json, 'w', encoding='utf-8') as f:
            f.write(PROFILES_JSON[kind])

    def complete(self, *words):
        '''Completes the last of @words, as typed (quotes and backslashes
        included); returns the sorted candidates.'''
        env = dict(os.environ,
                   PATH=self.bindir + ':' + os.environ.get('PATH', '/usr/bin:/bin'),
                   SB_COMPLETION_FILE=COMPLETION,
                   SB_WITH_BASH_COMPLETION=BASH_COMPLETION if self.with_bash_completion else '',
                   SB_FAKE_JSON=self.json,
                   TZDIR=os.environ.get('TZDIR', '/usr/share/zoneinfo'),
                   **self.env)
        proc = subprocess.run(['bash', '--norc', '--noprofile', '-c', DRIVER, 'simbudget',
                               'simbudget', *words],
                              env=env, capture_output=True, text=True, timeout=30, check=False)
        self.assertEqual((proc.returncode, proc.stderr), (0, ''))
        return sorted(line for line in proc.stdout.split('\n') if line)

    def test_verbs(self):
        self.assertEqual(self.complete(''), VERBS)
        self.assertEqual(self.complete('se'), ['set', 'set-used'])
        self.assertEqual(self.complete('--json', 'st'), ['status'])

    def test_global_options(self):
        self.assertEqual(self.complete('--'), ['--help', '--json', '--version'])

    def test_connections_are_mobile_and_quoted(self):
        self.assertEqual(self.complete('set', ''), ['Home:SIM', r'Travel\ eSIM'])
        self.assertEqual(self.complete('unset', 'Tr'), [r'Travel\ eSIM'])
        self.assertEqual(self.complete('set', r'Travel\ e'), [r'Travel\ eSIM'])

    def test_set_keywords_once_each(self):
        self.assertEqual(self.complete('set', r'Travel\ eSIM', ''), KEYWORDS)
        self.assertEqual(self.complete('set', r'Travel\ eSIM', 'limit', '5GB', 'warn', '80',
                                       ''),
                         [k for k in KEYWORDS if k not in ('limit', 'warn')])

    def test_set_values(self):
        cases = [
            (['action', ''], ['disconnect', 'warn']),
            (['limit', ''], ['none']),
            (['period', 'd'], ['daily', 'days:']),
            # After "weekly:", readline completes the part after the colon.
            (['period', 'weekly:'], ['fri', 'mon', 'sat', 'sun', 'thu', 'tue', 'wed']),
            (['period', 'weekly:s'], ['sat', 'sun']),
            (['start', 'f'], ['first-use']),
            (['timezone', 'Asia/Tok'], ['Asia/Tokyo']),
            (['timezone', 'UT'], ['UTC']),
            (['sim-id', ''], ['8944500000000000002', '8981100000000000001']),
        ]
        for words, expected in cases:
            with self.subTest(words=words):
                self.assertEqual(self.complete('set', 'Home:SIM', *words), expected)

    def test_profiles(self):
        expected = ['8944500000000000002', '8981100000000000001', r'Travel\ eSIM']
        for kind in PROFILES_JSON:
            self.set_json(kind)
            for verb in ['status', 'history', 'override', 'set-used']:
                with self.subTest(json=kind, verb=verb):
                    self.assertEqual(self.complete(verb, ''), expected)
        self.assertEqual(self.complete('status', '89811'), ['8981100000000000001'])

    def test_profiles_without_daemon(self):
        self.env['SB_FAKE_DOWN'] = '1'
        self.assertEqual(self.complete('status', ''), [])

    def test_history_options(self):
        self.assertEqual(self.complete('history', '8981', '--'),
                         ['--by', '--csv', '--json', '--since', '--until'])
        self.assertEqual(self.complete('history', '8981', '--by', ''),
                         ['day', 'hour', 'month', 'week'])
        self.assertEqual(self.complete('history', '8981', '--since', 'y'), ['yesterday'])
        # An option's value is not the PROFILE: nothing more to complete.
        self.assertEqual(self.complete('history', '--by', 'day', '8981', ''), [])

    def test_override_amount(self):
        self.assertEqual(self.complete('override', '8981', ''), ['unlimited'])
        self.assertEqual(self.complete('override', '8981', '1GB', ''), [])

    def test_shellcheck(self):
        proc = subprocess.run(['shellcheck', '--shell=bash', COMPLETION],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


class CompletionWithoutBashCompletionTest(CompletionTest):
    '''Sourced on its own, without the bash-completion package's helpers.'''
    with_bash_completion = False

    # Without _init_completion, "weekly:" is two words to readline.
    test_set_values = None
    test_shellcheck = None


if __name__ == '__main__':
    testmain.main()

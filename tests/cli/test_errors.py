#!/usr/bin/python3
"""The command line itself: help, version, usage errors, no daemon."""

from clitest import NOT_RUNNING, CliTestCase, TRAVEL, main


class NoDaemonTest(CliTestCase):

    def test_every_verb_says_service_not_running(self):
        for args in (['status'], ['--json', 'status'], ['status', TRAVEL],
                     ['history', TRAVEL], ['override', TRAVEL, '1GB'],
                     ['set-used', TRAVEL, '1GB'], ['monitor'], []):
            r = self.run_cli(*args, expect=1)
            self.assertEqual(r.stdout, '', args)
            self.assertEqual(r.stderr, NOT_RUNNING, args)

    def test_service_gone_after_start(self):
        self.start_sb()
        self.add_travel()
        self.run_cli('status')
        self.stop_sb()
        r = self.run_cli('status', expect=1)
        self.assertEqual(r.stderr, NOT_RUNNING)


class UsageTest(CliTestCase):

    def assert_usage_error(self, *args):
        r = self.run_cli(*args, expect=2)
        self.assertEqual(r.stdout, '')
        self.assertTrue(r.stderr.startswith('simbudget: '), r.stderr)
        self.assertIn('\nUsage:\n  simbudget [--json] status [PROFILE]\n', r.stderr)
        return r

    def test_unknown_verb_and_options(self):
        r = self.assert_usage_error('frobnicate')
        self.assertTrue(r.stderr.startswith('simbudget: unknown command “frobnicate”\n'))
        r = self.assert_usage_error('--frobnicate', 'status')
        self.assertTrue(r.stderr.startswith('simbudget: unknown option “--frobnicate”\n'))
        r = self.assert_usage_error('status', '--frobnicate')
        self.assertTrue(r.stderr.startswith('simbudget: unknown option “--frobnicate”\n'))
        self.assert_usage_error('monitor', '--frobnicate')
        self.assert_usage_error('monitor', 'extra')
        self.assert_usage_error('status', 'a', 'b')

    def test_missing_arguments(self):
        self.assert_usage_error('history')
        self.assert_usage_error('override')
        self.assert_usage_error('set-used')
        self.assert_usage_error('set')
        self.assert_usage_error('unset')
        self.assert_usage_error('unset', 'a', 'b')

    def test_help_and_version(self):
        for args in (['--help'], ['-h'], ['status', '--help'], ['--help', 'frobnicate']):
            r = self.run_cli(*args)
            self.assertTrue(r.stdout.startswith('Usage:\n'), args)
            for verb in ('status', 'history', 'set', 'unset', 'override', 'set-used', 'monitor'):
                self.assertIn('  simbudget [--json] %s' % verb if verb != 'unset' else '  simbudget unset',
                              r.stdout)
            self.assertEqual(r.stderr, '')
        r = self.run_cli('--version')
        self.assertRegex(r.stdout, r'^simbudget \d+\.\d+\.\d+\n$')


if __name__ == '__main__':
    main()

"""A private dbus-daemon, our child, for a test, the demo or a benchmark:
nothing of theirs touches the machine's own buses."""

import os
import subprocess
import tempfile

import processes

# Anyone may own any name and call anything; no service directories, so
# nothing is ever activated behind our back.
OPEN_POLICY = '''  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
'''

# The default policy of dbus's system.conf, trimmed to what matters: a
# service's own policy file (included after it) decides what others may do.
SYSTEM_POLICY = '''  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
'''

CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>%(kind)s</type>
  <listen>%(listen)s</listen>
%(policy)s</busconfig>
'''


class PrivateBus:
    """dbus-daemon of @kind ('system' or 'session') with @policy (busconfig
    elements), listening on a socket in @directory (a temporary one when
    None). Its address is .address; export() points our children at it.
    @popen_kw go to subprocess.Popen (stderr: discarded unless given)."""

    def __init__(self, kind='system', policy=OPEN_POLICY, directory=None, **popen_kw):
        self.kind = kind
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix='sb-%s-bus-' % kind)
            directory = self._tmp.name
        self.directory = directory
        config = os.path.join(directory, kind + '-bus.conf')
        with open(config, 'w', encoding='utf-8') as f:
            f.write(CONFIG % {'kind': kind, 'listen': 'unix:dir=' + directory, 'policy': policy})
        popen_kw.setdefault('stderr', subprocess.DEVNULL)
        # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(['dbus-daemon', '--nofork', '--nosyslog', '--print-address=1',
                                      '--config-file=' + config],
                                     stdout=subprocess.PIPE, text=True, **popen_kw)
        # up once it prints its address
        self.address = self.proc.stdout.readline().strip()
        self.proc.stdout.close()
        if not self.address:
            processes.stop(self.proc)
            raise RuntimeError('dbus-daemon did not start a private %s bus (exit %s)'
                               % (kind, self.proc.returncode))

    def export(self):
        """DBUS_SYSTEM_BUS_ADDRESS (or _SESSION_) names this bus from now on."""
        os.environ[self.variable()] = self.address

    def variable(self):
        return 'DBUS_%s_BUS_ADDRESS' % self.kind.upper()

    def stop(self):
        """Stops the daemon; the variable export() set goes too."""
        if os.environ.get(self.variable()) == self.address:
            del os.environ[self.variable()]
        processes.stop(self.proc)
        if self._tmp is not None:
            self._tmp.cleanup()

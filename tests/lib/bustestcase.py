"""The base of the test harnesses that run python-dbusmock stand-ins and
the programs under test on a private system bus."""

import dbusmock

import processes
import waiting
from privatebus import PrivateBus


class PrivateBusTestCase(dbusmock.DBusTestCase):
    """A private system bus per test class (meson runs one test method per
    process), a dbus-daemon of ours: dbusmock's own start_system_bus forks
    it away and then polls for seconds to see it go. Every child follows it;
    self.dbus_con is a connection to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bus = cls.private_bus()
        cls.bus.export()
        cls.dbus_con = cls.get_dbus(system_bus=True)

    @classmethod
    def private_bus(cls):
        """The system bus of the tests: anyone may do anything."""
        return PrivateBus('system')

    @classmethod
    def tearDownClass(cls):
        cls.dbus_con.close()
        cls.bus.stop()
        super().tearDownClass()

    def assert_eventually(self, condition, message=None, timeout=10):
        if not waiting.wait_until(condition, timeout):
            self.fail(message or 'timed out waiting for %r' % condition)

    def stop_service(self, proc, name, con=None):
        """Stops the stand-in @proc; returns once @name has left the bus
        (@con, default self.dbus_con)."""
        processes.stop(proc)
        con = con or self.dbus_con
        self.assert_eventually(lambda: not con.name_has_owner(name), '%s is still on the bus' % name)

#!/usr/bin/python3
'''Self-check of the ModemManager and NetworkManager mock templates.

Each case starts the template(s) on a private bus and checks what the real
client libraries (libmm-glib, libnm through PyGObject; mmcli, nmcli) read.
GLib warnings and criticals are fatal, so a property of the wrong D-Bus type
(which GIO drops with a warning) fails the run.

Run: /usr/bin/python3 tests/templates/selftest.py -v
Set SELFTEST_MOCK_LOG=1 to see the mocks' call logs on stderr.
'''

import os
import signal
import subprocess
import sys
import time

# Before GLib is loaded: warnings are fatal here and in the CLI tools, and
# libnm turns its D-Bus warnings (bad property types) into g_warning().
os.environ['G_DEBUG'] = 'fatal-warnings,fatal-criticals'
os.environ['LIBNM_CLIENT_DEBUG'] = 'WARNING,ERROR'

import dbus  # noqa: E402
import gi  # noqa: E402

gi.require_version('ModemManager', '1.0')
gi.require_version('NM', '1.0')
from gi.repository import Gio, GLib, GObject  # noqa: E402
from gi.repository import ModemManager as MM  # noqa: E402
from gi.repository import NM  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import processes  # noqa: E402
import testmain  # noqa: E402
from busnames import DBUSMOCK_IFACE, MM_BUS, MM_MOCK_IFACE, MM_PATH  # noqa: E402
from bustestcase import PrivateBusTestCase  # noqa: E402
from mocks import MM_TEMPLATE, NM_TEMPLATE  # noqa: E402
from privatebus import PrivateBus  # noqa: E402


ICCID = '8981100000000000001'
ICCID2 = '8944200000000000002'
EID = '89049032000000000000000000000001'
IMEI = '350000000000001'
UUID = '4b3d6e0a-0000-4000-8000-000000000001'


def iterate_until(condition, timeout=5.0):
    '''Spin the default main context until condition() is true.'''
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        if not ctx.iteration(False):
            time.sleep(0.002)
    return True


def drain():
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)


class TemplateTestCase(PrivateBusTestCase):
    '''A private bus for the class; mocks and client connections per case.'''

    @classmethod
    def private_bus(cls):
        # a fatal GLib warning aborts this process: the bus must not outlive
        # it, and the mocks exit when their bus goes away
        return PrivateBus('system', preexec_fn=processes.die_with_parent(signal.SIGKILL))

    def assertEventually(self, condition, message='condition not reached', timeout=5.0):
        self.assertTrue(iterate_until(condition, timeout), message)

    def spawn(self, template, parameters=None):
        log = sys.stderr if os.environ.get('SELFTEST_MOCK_LOG') else subprocess.DEVNULL
        proc, obj = self.spawn_server_template(template, parameters or {}, stdout=log)
        self.addCleanup(processes.stop, proc)
        return proc, obj

    def connection(self):
        '''A private GDBusConnection, so no state leaks between cases.'''
        conn = Gio.DBusConnection.new_for_address_sync(
            self.bus.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self.addCleanup(conn.close_sync, None)
        return conn

    def sync_with(self, conn, bus_name):
        '''Make sure every signal the mock sent so far has been dispatched.'''
        conn.call_sync(bus_name, '/', 'org.freedesktop.DBus.Peer', 'Ping', None, None,
                       Gio.DBusCallFlags.NONE, 5000, None)
        drain()

    def run_async(self, start):
        '''start(callback) begins an async call; returns (source, result).'''
        done = []
        start(lambda source, result, *_: done.append((source, result)))
        self.assertEventually(lambda: done, 'async call did not complete')
        return done[0]

    def object_gone(self, bus_name, path):
        try:
            self.dbus_con.call_blocking(bus_name, path, 'org.freedesktop.DBus.Properties', 'GetAll', 's', [''])
        except dbus.exceptions.DBusException as e:
            return e.get_dbus_name() in ('org.freedesktop.DBus.Error.UnknownObject',
                                         'org.freedesktop.DBus.Error.UnknownMethod')
        return False

    def run_tool(self, *argv):
        return subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False)


class ModemManagerTest(TemplateTestCase):

    def setUp(self):
        self.start_mock()
        self.conn = self.connection()
        self.manager = self.new_manager()

    def start_mock(self, parameters=None):
        self.mm_proc, obj = self.spawn(MM_TEMPLATE, parameters)
        self.mock = dbus.Interface(obj, MM_MOCK_IFACE)

    def new_manager(self):
        return MM.Manager.new_sync(self.conn, Gio.DBusObjectManagerClientFlags.DO_NOT_AUTO_START, None)

    def add_modem(self, iccid=ICCID, eid=EID, sim_type=2, operator='Mock Telecom'):
        path = self.mock.AddModem('EM7455', iccid, eid, dbus.UInt32(sim_type), operator, IMEI)
        self.assertEventually(lambda: any(o.get_object_path() == path for o in self.manager.get_objects()),
                              f'{path} not seen by MMManager')
        obj = self.manager.get_object(path)
        return path, obj.get_modem()

    def sync(self):
        self.sync_with(self.conn, MM_BUS)

    def test_modem_and_sim(self):
        cases = [
            # sim_type, eid, expected type, esim status, removability
            (2, EID, MM.SimType.ESIM, MM.SimEsimStatus.WITH_PROFILES, MM.SimRemovability.NOT_REMOVABLE),
            (1, '', MM.SimType.PHYSICAL, MM.SimEsimStatus.UNKNOWN, MM.SimRemovability.REMOVABLE),
        ]
        for index, (sim_type, eid, want_type, want_status, want_removability) in enumerate(cases):
            with self.subTest(sim_type=sim_type):
                iccid = f'89811000000000000{index:02d}'
                path, modem = self.add_modem(iccid=iccid, eid=eid, sim_type=sim_type)
                self.assertEqual(path, f'{MM_PATH}/Modem/{index}')
                self.assertEqual(modem.get_state(), MM.ModemState.REGISTERED)
                self.assertEqual(modem.get_equipment_identifier(), IMEI)
                self.assertEqual(modem.get_model(), 'EM7455')
                self.assertEqual(modem.get_primary_port(), f'cdc-wdm{index}')
                self.assertEqual([(p.name, p.type) for p in modem.get_ports()[1]],
                                 [(f'cdc-wdm{index}', MM.ModemPortType.QMI),
                                  (f'wwan{index}', MM.ModemPortType.NET)])
                self.assertEqual(modem.get_signal_quality(), (75, True))
                self.assertEqual(modem.get_drivers(), ['qmi_wwan', 'option'])
                self.assertEqual(modem.dup_sim_path(), f'{MM_PATH}/SIM/{index}')

                sim = modem.get_sim_sync(None)
                self.assertEqual(sim.get_identifier(), iccid)
                self.assertEqual(sim.get_eid(), eid or None)
                self.assertEqual(sim.get_sim_type(), want_type)
                self.assertEqual(sim.get_esim_status(), want_status)
                self.assertEqual(sim.get_removability(), want_removability)
                self.assertEqual(sim.get_operator_name(), 'Mock Telecom')
                self.assertEqual(sim.get_operator_identifier(), '00101')
                self.assertTrue(sim.get_active())
                self.assertEqual(sim.get_emergency_numbers(), ['112', '911'])

                obj = self.manager.get_object(path)
                m3gpp = obj.get_modem_3gpp()
                self.assertEqual(m3gpp.get_registration_state(), MM.Modem3gppRegistrationState.HOME)
                self.assertEqual(m3gpp.get_operator_code(), '00101')
                self.assertEqual(m3gpp.get_imei(), IMEI)
                self.assertIsNotNone(obj.get_modem_simple())

        # SIMs and bearers are not ObjectManager objects
        self.mock.AddBearer(f'{MM_PATH}/Modem/0', '', True)
        self.sync()
        self.assertEqual(sorted(o.get_object_path() for o in self.manager.get_objects()),
                         [f'{MM_PATH}/Modem/0', f'{MM_PATH}/Modem/1'])

    def test_bearer_stats_follow_modemmanager(self):
        modem_path, modem = self.add_modem()
        bearer_path = self.mock.AddBearer(modem_path, 'wwan0', True)
        self.assertEqual(bearer_path, f'{MM_PATH}/Bearer/0')
        self.assertEventually(lambda: modem.get_bearer_paths() == [bearer_path])
        bearer = modem.list_bearers_sync(None)[0]
        self.assertFalse(bearer.get_connected())
        # like ModemManager, only known after the first connection
        self.assertFalse(bearer.get_reload_stats_supported())
        self.assertEqual(bearer.get_properties().get_apn(), 'internet')
        self.assertEqual(bearer.get_stats().get_attempts(), 0)

        seen = []
        GObject.Object.connect(bearer, 'notify::stats', lambda b, _: seen.append(
            (b.get_connected(), b.get_stats().get_start_date(), b.get_stats().get_attempts())))

        self.mock.ConnectBearerAt(bearer_path, '', dbus.UInt64(1700000000))
        self.sync()
        # the reset of the attempt, then the connected session
        self.assertEqual(seen, [(False, 0, 1), (True, 1700000000, 1)])
        self.assertEqual(bearer.get_interface(), 'wwan0')
        self.assertTrue(bearer.get_reload_stats_supported())
        self.assertEqual(bearer.get_ipv4_config().get_method(), MM.BearerIpMethod.STATIC)
        self.assertEqual(modem.get_state(), MM.ModemState.CONNECTED)

        def check(rx, tx, total_rx, total_tx):
            stats = bearer.get_stats()
            self.assertEqual((stats.get_rx_bytes(), stats.get_tx_bytes(),
                              stats.get_total_rx_bytes(), stats.get_total_tx_bytes()),
                             (rx, tx, total_rx, total_tx))

        # (reported rx, reported tx) -> session rx, tx and totals after it
        refreshes = [
            ((1000, 200), (1000, 200, 1000, 200)),
            ((1500, 100), (1500, 200, 1500, 200)),   # lower tx: ignored
            ((0, 300), (1500, 300, 1500, 300)),      # zero rx: ignored
            ((2 ** 40, 300), (2 ** 40, 300, 2 ** 40, 300)),
        ]
        for (rx, tx), want in refreshes:
            with self.subTest(rx=rx, tx=tx):
                self.mock.SetBearerStats(bearer_path, dbus.UInt64(rx), dbus.UInt64(tx))
                self.sync()
                check(*want)

        self.mock.DisconnectBearer(bearer_path)
        self.sync()
        self.assertFalse(bearer.get_connected())
        self.assertIsNone(bearer.get_interface())
        self.assertEqual(modem.get_state(), MM.ModemState.REGISTERED)
        # the last session stays visible; refreshes stop while disconnected
        self.mock.SetBearerStats(bearer_path, dbus.UInt64(2 ** 41), dbus.UInt64(400))
        self.sync()
        check(2 ** 40, 300, 2 ** 40, 300)
        self.assertEqual(bearer.get_stats().get_start_date(), 1700000000)

        self.mock.ConnectBearerAt(bearer_path, 'wwan1', dbus.UInt64(1700003600))
        self.sync()
        self.assertEqual(bearer.get_interface(), 'wwan1')
        stats = bearer.get_stats()
        self.assertEqual((stats.get_start_date(), stats.get_attempts()), (1700003600, 2))
        check(0, 0, 2 ** 40, 300)
        self.mock.SetBearerStats(bearer_path, dbus.UInt64(400), dbus.UInt64(50))
        self.sync()
        check(400, 50, 2 ** 40 + 400, 350)

        # raw values, e.g. a modem reset reporting lower counters
        self.mock.ForceBearerStats(bearer_path, dbus.UInt64(10), dbus.UInt64(5), dbus.UInt64(20),
                                   dbus.UInt64(6), dbus.UInt64(1700007200))
        self.sync()
        check(10, 5, 20, 6)
        self.assertEqual(bearer.get_stats().get_start_date(), 1700007200)

    def test_bearer_without_reload_stats(self):
        modem_path, modem = self.add_modem()
        bearer_path = self.mock.AddBearer(modem_path, '', False)
        self.mock.ConnectBearer(bearer_path, '')
        before = int(time.time())
        self.assertEventually(lambda: modem.get_bearer_paths() == [bearer_path])
        bearer = modem.list_bearers_sync(None)[0]
        self.assertTrue(bearer.get_connected())
        self.assertFalse(bearer.get_reload_stats_supported())
        self.assertEqual(bearer.get_interface(), 'wwan0')
        self.assertLessEqual(abs(bearer.get_stats().get_start_date() - before), 2)
        # ModemManager never gets counters from such a modem
        self.mock.SetBearerStats(bearer_path, dbus.UInt64(1000), dbus.UInt64(200))
        self.sync()
        self.assertEqual(bearer.get_stats().get_rx_bytes(), 0)

        self.mock.DisconnectBearer(bearer_path)
        self.mock.FailConnectBearer(bearer_path, 'org.freedesktop.ModemManager1.Error.Core.Failed', 'no signal')
        self.sync()
        stats = bearer.get_stats()
        self.assertEqual((stats.get_attempts(), stats.get_failed_attempts()), (2, 1))
        self.assertIn('no signal', bearer.get_connection_error().message)

    def test_objects_added_and_removed(self):
        added, removed = [], []
        self.manager.connect('object-added', lambda _m, o: added.append(o.get_object_path()))
        self.manager.connect('object-removed', lambda _m, o: removed.append(o.get_object_path()))
        path, modem = self.add_modem()
        bearer_path = self.mock.AddBearer(path, '', True)
        self.assertEqual(added, [path])

        self.mock.RemoveModem(path)
        self.assertEventually(lambda: removed == [path])
        self.assertEqual(self.manager.get_objects(), [])
        self.assertTrue(self.object_gone(MM_BUS, f'{MM_PATH}/SIM/0'))
        self.assertTrue(self.object_gone(MM_BUS, bearer_path))

        # numbering goes on, as in ModemManager
        path, _ = self.add_modem()
        self.assertEqual(path, f'{MM_PATH}/Modem/1')
        self.assertEqual(self.manager.get_object(path).get_modem().dup_sim_path(), f'{MM_PATH}/SIM/1')

    def test_sim_switch_and_registration(self):
        path, modem = self.add_modem()
        old_sim = modem.dup_sim_path()
        new_sim = self.mock.SetSim(path, ICCID2, EID, dbus.UInt32(2), 'Roam Mobile')
        self.assertEventually(lambda: modem.dup_sim_path() == new_sim)
        self.assertNotEqual(new_sim, old_sim)
        self.assertTrue(self.object_gone(MM_BUS, old_sim))
        sim = modem.get_sim_sync(None)
        self.assertEqual((sim.get_identifier(), sim.get_operator_name()), (ICCID2, 'Roam Mobile'))

        self.mock.SetSimIdentifier(new_sim, ICCID)
        self.assertEventually(lambda: sim.get_identifier() == ICCID)

        m3gpp = self.manager.get_object(path).get_modem_3gpp()
        self.mock.SetRegistrationState(path, dbus.UInt32(5))
        self.mock.SetOperator(path, '44010', 'Visited')
        self.assertEventually(
            lambda: m3gpp.get_registration_state() == MM.Modem3gppRegistrationState.ROAMING)
        self.assertEventually(lambda: m3gpp.get_operator_name() == 'Visited')
        self.assertEqual(m3gpp.get_operator_code(), '44010')

        states = []
        modem.connect('state-changed', lambda _m, old, new, _r: states.append((old, new)))
        self.mock.SetModemState(path, dbus.Int32(-1))
        self.assertEventually(lambda: modem.get_state() == MM.ModemState.FAILED)
        self.assertEqual(states, [(MM.ModemState.REGISTERED, MM.ModemState.FAILED)])

    def test_restart_starts_numbering_again(self):
        path, _ = self.add_modem()
        self.mock.AddModem('second', ICCID2, '', dbus.UInt32(1), 'Other', '350000000000002')
        owners = []
        self.manager.connect('notify::name-owner', lambda m, _: owners.append(m.get_name_owner()))

        # ModemManager vanishes (crash) and comes back: numbering restarts
        self.mm_proc.kill()
        self.mm_proc.wait()
        self.assertEventually(lambda: owners and owners[-1] is None, 'name owner did not go away')
        self.assertEqual(self.manager.get_objects(), [])
        self.start_mock()
        self.assertEventually(lambda: owners[-1] is not None, 'name owner did not come back')
        path2, modem = self.add_modem(iccid=ICCID2)
        self.assertEqual(path2, path)
        self.assertEqual(modem.get_sim_sync(None).get_identifier(), ICCID2)

        # FirstIndex moves the numbering
        processes.stop(self.mm_proc)
        self.assertEventually(lambda: owners[-1] is None, 'name owner did not go away')
        self.start_mock({'FirstIndex': dbus.UInt32(7)})
        path3, modem = self.add_modem()
        self.assertEqual(path3, f'{MM_PATH}/Modem/7')
        self.assertEqual(modem.dup_sim_path(), f'{MM_PATH}/SIM/7')
        self.assertEqual(self.mock.AddBearer(path3, '', True), f'{MM_PATH}/Bearer/7')

    def test_mmcli(self):
        path, _ = self.add_modem()
        bearer = self.mock.AddBearer(path, 'wwan0', True)
        self.mock.ConnectBearerAt(bearer, '', dbus.UInt64(1700000000))
        self.mock.SetBearerStats(bearer, dbus.UInt64(123456), dbus.UInt64(7890))
        checks = [
            (['-L'], f'{MM_PATH}/Modem/0 \\[dbusmock\\] EM7455'),
            (['-m', '0'], r'sim path: /org/freedesktop/ModemManager1/SIM/0'),
            (['-m', '0', '-K'], r'modem\.generic\.state\s+: connected'),
            (['-m', '0', '-K'], r'modem\.3gpp\.registration-state\s+: home'),
            (['-b', '0', '-K'], r'bearer\.stats\.bytes-rx\s+: 123456\n'),
            (['-b', '0', '-K'], r'bearer\.stats\.total-bytes-tx\s+: 7890\n'),
            (['-b', '0', '-K'], r'bearer\.status\.interface\s+: wwan0'),
            (['-i', '0', '-K'], rf'sim\.properties\.iccid\s+: {ICCID}'),
            (['-i', '0', '-K'], r'sim\.properties\.sim-type\s+: esim'),
            (['-i', '0', '-K'], rf'sim\.properties\.eid\s+: {EID}'),
            (['-m', '0', '--3gpp-scan'], '00101 - Mock Telecom'),
            (['-m', '0', '--simple-disconnect'], 'successfully disconnected'),
            (['-b', '0', '-K'], r'bearer\.status\.connected\s+: no'),
        ]
        for args, expected in checks:
            with self.subTest(args=args):
                result = self.run_tool('mmcli', *args)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertRegex(result.stdout, expected)


class NetworkManagerTest(TemplateTestCase):

    def setUp(self):
        # long enough for a client to see ACTIVATING before ACTIVATED
        self.proc, obj = self.spawn(NM_TEMPLATE, {'ActivationDelay': dbus.UInt32(200)})
        self.mock = dbus.Interface(obj, DBUSMOCK_IFACE)
        self.conn = self.connection()
        self.client = NM.Client(dbus_connection=self.conn)
        self.client.init(None)
        self.addCleanup(self.destroy_client, 'client')
        self.assertTrue(self.client.get_nm_running())

    def destroy_client(self, attribute):
        '''Drop the NMClient in self.<attribute>; it is gone once its context
        busy watcher is released.'''
        gone = []
        watcher = getattr(self, attribute).get_context_busy_watcher()
        watcher.weak_ref(lambda: gone.append(True))
        del watcher
        setattr(self, attribute, None)
        self.assertTrue(iterate_until(lambda: gone, timeout=2), 'NMClient still busy')

    def sync(self):
        self.sync_with(self.conn, 'org.freedesktop.NetworkManager')

    def add_modem_device(self):
        path = self.mock.AddModemDevice('modem0', f'{MM_PATH}/Modem/0', 'cdc-wdm0', 'wwan0',
                                        dbus.UInt32(NM.DeviceState.DISCONNECTED))
        self.assertEventually(lambda: self.client.get_device_by_path(path) is not None)
        return path, self.client.get_device_by_path(path)

    def add_gsm_connection(self, user_data=None, sim_id=ICCID):
        path = self.mock.AddGsmConnection('Mobile', UUID, sim_id,
                                          dbus.Dictionary(user_data or {}, signature='ss'), True)
        self.assertEventually(lambda: self.client.get_connection_by_uuid(UUID) is not None)
        return path, self.client.get_connection_by_uuid(UUID)

    def test_modem_device(self):
        path, device = self.add_modem_device()
        self.assertIsInstance(device, NM.DeviceModem)
        self.assertEqual(device.get_device_type(), NM.DeviceType.MODEM)
        self.assertEqual(device.get_udi(), f'{MM_PATH}/Modem/0')
        self.assertEqual(device.get_iface(), 'cdc-wdm0')
        self.assertEqual(device.get_state(), NM.DeviceState.DISCONNECTED)
        self.assertEqual(device.get_current_capabilities(),
                         NM.DeviceModemCapabilities.GSM_UMTS | NM.DeviceModemCapabilities.LTE)
        self.assertTrue(device.get_autoconnect())
        # AllDevices is a manager property of its own: it may arrive after the object
        self.assertEventually(lambda: device in self.client.get_all_devices())

        # stock dbusmock devices get the real property name too
        eth_path = self.mock.AddEthernetDevice('eth0', 'eth0', dbus.Int32(30))
        self.assertEventually(lambda: self.client.get_device_by_path(eth_path) is not None)
        eth = self.client.get_device_by_path(eth_path)

        for dev, value in [(device, False), (device, True), (eth, True), (eth, False)]:
            with self.subTest(device=dev.get_iface(), autoconnect=value):
                _, result = self.run_async(lambda cb, d=dev, v=value: self.client.dbus_set_property(
                    NM.Object.get_path(d), 'org.freedesktop.NetworkManager.Device', 'Autoconnect',
                    GLib.Variant('b', v), 2000, None, cb, None))
                self.assertTrue(self.client.dbus_set_property_finish(result))
                self.assertEventually(lambda d=dev, v=value: d.get_autoconnect() == v)

        self.mock.RemoveDevice(path)
        self.assertEventually(lambda: self.client.get_device_by_path(path) is None)

    def test_connection_user_data_round_trip(self):
        conn_path, remote = self.add_gsm_connection({'simbudget.limit': '5GB',
                                                     'simbudget.period': 'monthly'})
        self.assertEqual(remote.get_connection_type(), 'gsm')
        self.assertEqual(remote.get_setting_gsm().get_sim_id(), ICCID)
        self.assertTrue(remote.get_setting_connection().get_autoconnect())
        s_user = remote.get_setting_by_name('user')
        self.assertEqual(s_user.get_data('simbudget.limit'), '5GB')
        self.assertFalse(remote.get_unsaved())

        s_user.set_data('simbudget.limit', '10GB')
        s_user.set_data('simbudget.period', None)
        remote.get_setting_gsm().set_property('sim-id', None)
        _, result = self.run_async(lambda cb: remote.commit_changes_async(False, None, cb, None))
        self.assertTrue(remote.commit_changes_finish(result))

        # replaced, not merged: removed keys are gone on the server
        settings = self.dbus_con.call_blocking('org.freedesktop.NetworkManager', conn_path,
                                           'org.freedesktop.NetworkManager.Settings.Connection',
                                           'GetSettings', '', [])
        self.assertEqual(dict(settings['user']['data']), {'simbudget.limit': '10GB'})
        self.assertNotIn('sim-id', settings['gsm'])
        self.assertEventually(lambda: remote.get_unsaved())

        self.fresh = NM.Client(dbus_connection=self.conn)
        self.fresh.init(None)
        s_user = self.fresh.get_connection_by_uuid(UUID).get_setting_by_name('user')
        self.assertEqual(s_user.get_data('simbudget.limit'), '10GB')
        self.assertIsNone(s_user.get_data('simbudget.period'))
        del s_user
        self.destroy_client('fresh')

        # a saved commit clears Unsaved
        _, result = self.run_async(lambda cb: remote.commit_changes_async(True, None, cb, None))
        self.assertTrue(remote.commit_changes_finish(result))
        self.assertEventually(lambda: not remote.get_unsaved())

    def test_gsm_connection_settings(self):
        cases = [
            # user data, sim-id, autoconnect
            ({'simbudget.limit': '5GB'}, ICCID, True),
            ({}, '', False),
        ]
        for index, (user_data, sim_id, autoconnect) in enumerate(cases):
            with self.subTest(user_data=user_data, sim_id=sim_id):
                uuid = f'4b3d6e0a-0000-4000-8000-00000000010{index}'
                path = self.mock.AddGsmConnection(f'gsm{index}', uuid, sim_id,
                                                  dbus.Dictionary(user_data, signature='ss'), autoconnect)
                self.assertEqual(path, f'/org/freedesktop/NetworkManager/Settings/{index + 1}')
                self.assertEventually(lambda u=uuid: self.client.get_connection_by_uuid(u) is not None)
                remote = self.client.get_connection_by_uuid(uuid)
                self.assertEqual(remote.get_id(), f'gsm{index}')
                self.assertEqual(remote.get_setting_connection().get_autoconnect(), autoconnect)
                self.assertEqual(remote.get_setting_gsm().get_apn(), 'internet')
                self.assertEqual(remote.get_setting_gsm().get_sim_id(), sim_id or None)
                s_user = remote.get_setting_by_name('user')
                if user_data:
                    self.assertEqual({k: s_user.get_data(k) for k in s_user.get_keys()}, user_data)
                else:
                    self.assertIsNone(s_user)

    def test_autoconnect_simulation(self):
        dev_path, device = self.add_modem_device()
        conn_path, _ = self.add_gsm_connection()
        nm_iface = dbus.Interface(self.dbus_con.get_object('org.freedesktop.NetworkManager',
                                                       '/org/freedesktop/NetworkManager'),
                                  'org.freedesktop.NetworkManager')

        active = self.mock.TriggerAutoconnect(dev_path)
        self.assertNotEqual(active, '/')
        self.assertEqual(self.mock.TriggerAutoconnect(dev_path), '/', 'already active')

        # taken down by a user: NetworkManager does not bring it back by itself
        nm_iface.DeactivateConnection(active)
        self.assertEventually(lambda: device.get_state() == NM.DeviceState.DISCONNECTED)
        self.assertEqual(self.mock.TriggerAutoconnect(dev_path), '/')

        # an explicit activation lifts that block; the device flag still counts
        active = nm_iface.ActivateConnection(conn_path, dev_path, '/')
        self.assertEventually(lambda: device.get_state() == NM.DeviceState.ACTIVATED)
        dev_iface = dbus.Interface(self.dbus_con.get_object('org.freedesktop.NetworkManager', dev_path),
                                   'org.freedesktop.NetworkManager.Device')
        dev_iface.Disconnect()
        self.assertEventually(lambda: device.get_state() == NM.DeviceState.DISCONNECTED)
        self.assertFalse(device.get_autoconnect())
        self.assertEqual(self.mock.TriggerAutoconnect(dev_path), '/')
        self.dbus_con.call_blocking('org.freedesktop.NetworkManager', dev_path, 'org.freedesktop.DBus.Properties',
                                'Set', 'ssv', ['org.freedesktop.NetworkManager.Device', 'Autoconnect',
                                               dbus.Boolean(True, variant_level=1)])
        self.assertNotEqual(self.mock.TriggerAutoconnect(dev_path), '/')

    def test_update_flags_are_checked(self):
        conn_path, _ = self.add_gsm_connection()
        iface = dbus.Interface(self.dbus_con.get_object('org.freedesktop.NetworkManager', conn_path),
                               'org.freedesktop.NetworkManager.Settings.Connection')
        empty = dbus.Dictionary({}, signature='sa{sv}')
        for flags, args in [(0x1 | 0x2, {}), (0x1000, {}), (0x1, {'bogus': dbus.String('x')})]:
            with self.subTest(flags=flags, args=args):
                with self.assertRaises(dbus.exceptions.DBusException) as ctx:
                    iface.Update2(empty, dbus.UInt32(flags), dbus.Dictionary(args, signature='sv'))
                self.assertEqual(ctx.exception.get_dbus_name(),
                                 'org.freedesktop.NetworkManager.Settings.InvalidArguments')
        self.assertEqual(iface.Update2(empty, dbus.UInt32(0x2), dbus.Dictionary({}, signature='sv')), {})

    def test_taking_down_a_connecting_modem_aborts(self):
        '''As NetworkManager 1.42 does once the modem's connect result
        comes back; past PREPARE it is an ordinary deactivation.'''
        dev_path, device = self.add_modem_device()
        _, remote = self.add_gsm_connection()
        nm = Gio.DBusProxy.new_sync(self.conn, Gio.DBusProxyFlags.DO_NOT_LOAD_PROPERTIES, None,
                                    'org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager',
                                    'org.freedesktop.NetworkManager', None)

        ac_path = self.mock.ActivateGsmConnection(remote.get_path(), dev_path, 'ppp0')
        nm.call_sync('DeactivateConnection', GLib.Variant('(o)', (str(ac_path),)), 0, 2000, None)
        self.assertEventually(lambda: self.client.get_active_connections() == [])
        self.assertIsNone(self.proc.poll())

        _, result = self.run_async(lambda cb: self.client.activate_connection_async(remote, None, None,
                                                                                      None, cb, None))
        active = self.client.activate_connection_finish(result)
        self.assertEventually(lambda: device.get_state() == NM.DeviceState.PREPARE)
        with self.assertRaises(GLib.Error):
            nm.call_sync('DeactivateConnection', GLib.Variant('(o)', (active.get_path(),)), 0, 2000, None)
        self.assertEqual(self.proc.wait(5), 134)

    def test_activation_and_deactivation_states(self):
        dev_path, device = self.add_modem_device()
        _, remote = self.add_gsm_connection()
        self.assertEqual([c.get_uuid() for c in device.get_available_connections()], [UUID])

        _, result = self.run_async(lambda cb: self.client.activate_connection_async(remote, None, None,
                                                                                      None, cb, None))
        active = self.client.activate_connection_finish(result)
        states = [active.get_state()]
        active.connect('state-changed', lambda _a, state, _reason: states.append(state))
        self.assertEventually(lambda: active.get_state() == NM.ActiveConnectionState.ACTIVATED)
        self.sync()
        self.assertEqual(states, [NM.ActiveConnectionState.ACTIVATING, NM.ActiveConnectionState.ACTIVATED])
        self.assertEqual(device.get_state(), NM.DeviceState.ACTIVATED)
        self.assertEqual(device.get_ip_iface(), 'wwan0')
        self.assertEqual(device.get_active_connection(), active)
        self.assertEventually(lambda: active.get_devices() == [device])
        self.assertEventually(lambda: self.client.get_primary_connection() == active)

        device_states = []
        device.connect('state-changed', lambda _d, new, _old, _reason: device_states.append(new))
        del states[:]
        _, result = self.run_async(lambda cb: self.client.deactivate_connection_async(active, None, cb, None))
        self.assertTrue(self.client.deactivate_connection_finish(result))
        self.assertEventually(lambda: self.client.get_active_connections() == [])
        self.assertEqual(states, [NM.ActiveConnectionState.DEACTIVATING, NM.ActiveConnectionState.DEACTIVATED])
        self.assertEqual(device_states, [NM.DeviceState.DEACTIVATING, NM.DeviceState.DISCONNECTED])
        self.assertIsNone(device.get_active_connection())
        self.assertIsNone(self.client.get_primary_connection())

        # the control method: ACTIVATED before it returns
        ac_path = self.mock.ActivateGsmConnection(remote.get_path(), dev_path, 'ppp0')
        self.assertEventually(lambda: len(self.client.get_active_connections()) == 1)
        active = self.client.get_active_connections()[0]
        self.assertEqual(active.get_path(), ac_path)
        # libnm may show the object before it applies the ACTIVATED change
        self.assertEventually(lambda: active.get_state() == NM.ActiveConnectionState.ACTIVATED)
        self.assertEventually(lambda: device.get_ip_iface() == 'ppp0')

        # deleting an active profile deactivates it first
        states = []
        active.connect('state-changed', lambda _a, state, _reason: states.append(state))
        _, result = self.run_async(lambda cb: remote.delete_async(None, cb, None))
        self.assertTrue(remote.delete_finish(result))
        self.assertEventually(lambda: self.client.get_active_connections() == [])
        self.assertEqual(states, [NM.ActiveConnectionState.DEACTIVATING, NM.ActiveConnectionState.DEACTIVATED])
        self.assertEventually(lambda: self.client.get_connection_by_uuid(UUID) is None)
        self.assertEqual(device.get_state(), NM.DeviceState.DISCONNECTED)

    def test_nmcli(self):
        self.add_modem_device()
        self.add_gsm_connection({'simbudget.limit': '5GB'})
        checks = [
            (['-t', '-f', 'DEVICE,TYPE,STATE', 'device'], 'cdc-wdm0:gsm:disconnected'),
            (['-t', '-f', 'GENERAL.UDI', 'device', 'show', 'cdc-wdm0'], f'GENERAL.UDI:{MM_PATH}/Modem/0'),
            (['-t', '-f', 'NAME,UUID,TYPE', 'connection', 'show'], f'Mobile:{UUID}:gsm'),
            (['-f', 'all', 'connection', 'show', UUID], rf'gsm\.sim-id:\s+{ICCID}\n'),
            (['connection', 'up', UUID], 'Connection successfully activated'),
            (['-t', '-f', 'GENERAL.STATE,GENERAL.IP-IFACE', 'device', 'show', 'cdc-wdm0'],
             r'GENERAL\.STATE:100 \(connected\)\nGENERAL\.IP-IFACE:wwan0'),
            (['connection', 'down', UUID], 'successfully deactivated'),
            (['-t', '-f', 'DEVICE,STATE', 'device'], 'cdc-wdm0:disconnected'),
            (['connection', 'modify', UUID, 'gsm.apn', 'other'], r'^$'),
            (['-t', '-f', 'gsm.apn', 'connection', 'show', UUID], 'gsm.apn:other'),
        ]
        start = time.monotonic()
        for args, expected in checks:
            with self.subTest(args=args):
                result = self.run_tool('nmcli', *args)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertRegex(result.stdout, expected)
        # nmcli waits 3 s per call when it cannot register its secret agent
        self.assertLess(time.monotonic() - start, 5)


if __name__ == '__main__':
    testmain.main()

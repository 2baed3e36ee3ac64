#!/usr/bin/python3
"""Bearers without statistics (AT/PPP modems) are counted from the kernel
counters of their data interface, in a network namespace of the test's own."""

import unittest

import dbus

import sbtest
from sbtest import ESIM, NetNS, SbTestCase

ICCID = '8981100022233344455'
EID = '89049032000001000000012345678901'


@unittest.skipUnless(sbtest.can_use_netns(), 'needs root and network namespaces')
class KernelCounters(SbTestCase):

    def setUp(self):
        super().setUp()
        self.netns = NetNS(self)
        self.netns.add_data_link()
        self.start_daemon()

    def tick(self, bearer):
        """ModemManager's periodic refresh of a bearer without statistics:
        only the duration moves (whole seconds), so it waits for one."""
        def duration():
            return int(self.dbus_con.get_object(sbtest.MM_BUS, bearer).Get(
                'org.freedesktop.ModemManager1.Bearer', 'Stats',
                dbus_interface=dbus.PROPERTIES_IFACE)['duration'])
        before = duration()

        def moved():
            self.mm.SetBearerStats(bearer, dbus.UInt64(0), dbus.UInt64(0))
            return duration() != before
        self.assert_eventually(moved, 'bearer duration did not move', timeout=5)

    def test_bearer_interface_counters(self):
        modem = self.add_modem(ICCID, EID, ESIM)
        bearer = self.mm.AddBearer(modem, 'sbdata0', False)
        self.mm.ConnectBearer(bearer, 'sbdata0')
        self.assert_eventually(lambda: self.prop(ICCID, 'Active') == True)
        self.netns.send_udp('10.77.0.2', 9, 1000, 50)
        self.tick(bearer)
        rx, tx = self.netns.counters('sbdata0')
        self.assertGreater(tx, 50 * 1000)
        self.wait_used(ICCID, rx, tx)
        self.netns.send_udp('10.77.0.2', 9, 400, 10)
        rx, tx = self.netns.counters('sbdata0')
        # the last reading of a session is taken at the disconnect
        self.mm.DisconnectBearer(bearer)
        self.wait_used(ICCID, rx, tx)
        self.restart_daemon()
        self.wait_used(ICCID, rx, tx)

    def test_ppp_uses_networkmanager_ip_interface(self):
        nm = self.start_nm()
        modem = self.add_modem(ICCID, EID, ESIM)
        # ModemManager names the serial port; NetworkManager knows the netdev
        self.nm_obj.AddModemDevice('ttyUSB2', modem, 'ttyUSB2', 'sbdata0', dbus.UInt32(100),
                                   dbus_interface='org.freedesktop.DBus.Mock')
        bearer = self.mm.AddBearer(modem, 'ttyUSB2', False)
        self.mm.ConnectBearer(bearer, 'ttyUSB2')
        self.assert_eventually(lambda: self.prop(ICCID, 'Interface') == 'sbdata0')
        self.netns.send_udp('10.77.0.2', 9, 1200, 20)
        self.tick(bearer)
        rx, tx = self.netns.counters('sbdata0')
        self.wait_used(ICCID, rx, tx)
        self.assertIsNotNone(nm)


    def tx_packets(self, ifname):
        return int(self.netns.run('cat', '/sys/class/net/%s/statistics/tx_packets' % ifname).stdout)

    def test_quota_stops_traffic_at_the_byte(self):
        # the daemon runs in this namespace with its nftables quota
        self.start_nm()
        self.start_polkit(['org.simbudget.override'])
        modem = self.add_modem(ICCID, EID, ESIM)
        dev = self.nm_obj.AddModemDevice('wwan0dev', modem, 'wwan0dev', 'sbdata0', dbus.UInt32(30),
                                         dbus_interface=sbtest.DBUSMOCK_IFACE)
        conn = self.nm_obj.AddGsmConnection('travel-jp', 'b0b0b0b0-0000-4000-8000-000000000001', ICCID,
                                            dbus.Dictionary({'simbudget.limit': '100000'}, signature='ss'),
                                            True, dbus_interface=sbtest.DBUSMOCK_IFACE)
        bearer = self.mm.AddBearer(modem, 'sbdata0', True)
        self.mm.ConnectBearer(bearer, 'sbdata0')
        self.nm_obj.ActivateGsmConnection(conn, dev, 'sbdata0', dbus_interface=sbtest.DBUSMOCK_IFACE)
        self.assert_eventually(lambda: self.manager_props()['QuotaState'] == 'quota')
        self.assert_eventually(lambda: self.prop(ICCID, 'Enforcement') == 'disconnect+quota')
        before = self.tx_packets('sbdata0')
        rx0, tx0 = self.netns.counters('sbdata0')
        # 200 datagrams of 1000 bytes (1028 at the IP level) against 100 kB:
        # ModemManager has not reported a byte, the kernel stops them
        self.netns.send_udp('10.77.0.2', 9, 1000, 200)
        sent = self.tx_packets('sbdata0') - before
        self.assertLessEqual(sent * 1028, 100000)
        self.assertGreater((sent + 1) * 1028, 100000)
        rx1, tx1 = self.netns.counters('sbdata0')
        # an override: the daemon knows what the interface carried (a veth
        # counts 14 link-layer bytes a packet more than the quota's IP
        # bytes), and lets through what is left of the new allowance
        self.profile(ICCID).Override(dbus.UInt64(10280))
        self.assert_eventually(lambda: self.prop(ICCID, 'ExtraAllowance') == 10280)
        left = 100000 + 10280 - ((rx1 - rx0) + (tx1 - tx0))
        before = self.tx_packets('sbdata0')
        self.netns.send_udp('10.77.0.2', 9, 1000, 50)
        self.assertEqual(self.tx_packets('sbdata0') - before, (left - 1) // 1028)
        # the table goes with the daemon
        self.stop_daemon()
        out = self.netns.run('nft', 'list', 'tables', check=False).stdout
        self.assertNotIn('simbudget_', out)


if __name__ == '__main__':
    sbtest.main()

#!/usr/bin/python3
"""The harness itself, proved against the real ModemManager and
NetworkManager: modem, gsm device, activation with real packets, hang-up,
daemon restarts, and nothing left on the host afterwards."""

import os
import subprocess

import harness
from harness import RealTestCase

MM_BEARER_IFACE = 'org.freedesktop.ModemManager1.Bearer'


class SelfTest(RealTestCase):

    def bearer(self):
        path, props = self.rig.modem()
        bearers = [str(b) for b in props['Bearers']]
        self.assertEqual(len(bearers), 1, 'one bearer')
        return self.rig._props(harness.MM_BUS, bearers[0], MM_BEARER_IFACE)

    def test_modem_appears_with_iccid(self):
        path, props = self.rig.wait_modem()
        self.assertEqual(self.rig.sim_iccid(props), self.rig.iccid)
        self.assertEqual(str(props['EquipmentIdentifier']), self.rig.imei)
        self.assertEqual(str(props['Plugin']), 'generic')
        self.assertEqual(str(props['PrimaryPort']), 'at0')
        # the generic plugin read EF_ICCID through the SIM, not AT+CCID
        self.assertIn('AT+CRSM=176,12258,0,0,10', self.rig.at_log())

    def test_networkmanager_sees_gsm_device(self):
        modem_path, _ = self.rig.wait_modem()
        path, props = self.rig.wait_gsm_device()
        self.assertEqual(int(props['DeviceType']), harness.NM_DEVICE_TYPE_MODEM)
        self.assertEqual(str(props['Udi']), modem_path)
        self.assertEqual(str(props['Interface']), 'at0')
        out = self.rig.nmcli('-g', 'GENERAL.TYPE', 'device', 'show', 'at0').stdout.strip()
        self.assertEqual(out, 'gsm')

    def test_activation_carries_traffic(self):
        ifname = self.activate()
        self.assertTrue(ifname.startswith('ppp'), ifname)
        self.assertEqual(self.rig.modem_state(), harness.MM_MODEM_STATE_CONNECTED)
        bearer = self.bearer()
        self.assertTrue(bearer['Connected'])
        self.assertEqual(str(bearer['Interface']), 'at0')
        addr = self.rig.ns_run(self.rig.ns_dev, 'ip', '-4', '-o', 'addr', 'show', 'dev', ifname).stdout
        self.assertIn('inet %s peer %s/32' % (harness.ADDRESS, harness.GATEWAY), addr)

        rx0, tx0 = self.rig.counters(ifname)
        before = self.rig.peer_totals()
        sent = self.rig.send_udp(count=200, size=1000)
        after = self.rig.peer_totals()
        rx1, tx1 = self.rig.counters(ifname)

        self.assertEqual(sent['sent'], 200)
        self.assertEqual(after['packets'] - before['packets'], sent['sent'], 'datagrams at the peer')
        self.assertEqual(after['bytes'] - before['bytes'], sent['bytes'], 'payload bytes at the peer')
        self.assertEqual(sent['received'], sent['sent'], 'echoes back at the device')
        # the kernel counts whole IPv4 packets: payload + 28 bytes of IPv4/UDP headers
        self.assertEqual(tx1 - tx0, sent['bytes'] + 28 * sent['sent'])
        self.assertEqual(rx1 - rx0, sent['bytes'] + 28 * sent['sent'])

    def test_connection_down_hangs_up(self):
        ifname = self.activate()
        self.rig.connection_down()
        self.rig.wait_for(lambda: not self.rig.iface_exists(ifname), '%s gone' % ifname)
        self.rig.wait_gsm_device(harness.NM_DEVICE_STATE_DISCONNECTED)
        self.assertEqual(int(self.rig.gsm_device()[1]['State']), harness.NM_DEVICE_STATE_DISCONNECTED)
        self.rig.wait_for(lambda: self.rig.modem_state() == harness.MM_MODEM_STATE_REGISTERED,
                          'ModemManager back to registered')
        self.rig.wait_for(lambda: 'hang up' in self.rig.at_log(), 'the modem hung up')
        self.assertIn('AT+CGACT=0', self.rig.at_log())
        with open(os.path.join(self.rig.dir, 'pppd.log')) as f:
            self.assertIn('terminating on signal', f.read())

    def test_modemmanager_disconnect_ends_connection(self):
        # the call is dropped through ModemManager, behind NetworkManager's
        # back: NetworkManager follows the modem state and tears down
        ifname = self.activate()
        r = self.rig.mmcli('-m', 'any', '--simple-disconnect')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.rig.wait_for(lambda: not self.rig.iface_exists(ifname), '%s gone' % ifname)
        self.rig.wait_for(lambda: self.rig.ip_iface() is None, 'the gsm device no longer activated')
        self.rig.wait_for(lambda: 'hang up' in self.rig.at_log(), 'the modem hung up')
        self.assertEqual(self.rig.nmcli('-g', 'GENERAL.STATE', 'connection', 'show', 'sbreal').stdout.strip(), '')

    def test_networkmanager_restart(self):
        self.activate()
        self.rig.restart_nm()
        self.rig.wait_gsm_device()
        out = self.rig.nmcli('-g', 'gsm.sim-id', 'connection', 'show', 'sbreal').stdout.strip()
        self.assertEqual(out, self.rig.iccid, 'the keyfile survived the restart')
        self.rig.connection_up()
        ifname = self.rig.wait_for(self.rig.ip_iface, 'activated again after the restart')
        before = self.rig.peer_totals()
        sent = self.rig.send_udp(count=20, size=500)
        self.assertEqual(self.rig.peer_totals()['bytes'] - before['bytes'], sent['bytes'])
        self.assertTrue(self.rig.iface_exists(ifname))

    def test_modemmanager_restart(self):
        self.rig.wait_modem()
        self.rig.wait_gsm_device()
        probes = self.rig.at_log().count('AT+GCAP')
        self.rig.restart_mm()
        path, props = self.rig.wait_modem()
        self.assertEqual(self.rig.sim_iccid(props), self.rig.iccid)
        self.assertGreater(self.rig.at_log().count('AT+GCAP'), probes, 'probed again')
        self.rig.wait_gsm_device()
        self.assertEqual(str(self.rig.gsm_device()[1]['Udi']), path)
        self.rig.add_gsm_connection()
        self.rig.connection_up()
        self.rig.wait_for(self.rig.ip_iface, 'activated through the new ModemManager')

    def test_nothing_left_behind(self):
        self.activate()
        self.rig.send_udp(count=10, size=100)
        pids = [p.pid for p in self.rig.procs.values()]
        names = (self.rig.ns_dev, self.rig.ns_inet)
        directory = self.rig.dir
        tag = self.rig.tag

        self.assertEqual(self.rig.teardown(), [])

        for pid in pids:
            self.assertFalse(harness._alive(pid), 'process %d still running' % pid)
        listed = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout.split()
        for ns in names:
            self.assertNotIn(ns, listed)
            self.assertFalse(os.path.exists('/run/netns/' + ns))
        with open('/proc/self/mountinfo') as f:
            self.assertNotIn(tag, f.read())
        self.assertFalse(os.path.exists(directory))
        self.assertEqual([p for p in harness._proc_pids() if harness._alive(p) and harness._has_env(
            p, ('%s=%s' % (harness.RIG_ENV, tag)).encode())], [])


class PapTest(RealTestCase):
    """A network that insists on PAP: the stand-in asks NetworkManager for
    the connection's credentials (NeedSecrets) like the pppd plugin."""

    rig_options = {'pap': 'web:secret'}

    def test_credentials_from_the_connection(self):
        self.rig.wait_gsm_device()
        self.rig.add_gsm_connection(extra=('gsm.username', 'web', 'gsm.password', 'secret'))
        self.rig.connection_up()
        self.rig.wait_for(self.rig.ip_iface, 'activated after PAP')
        with open(os.path.join(self.rig.dir, 'pppd.log')) as f:
            log = f.read()
        self.assertIn('NeedSecrets', log)
        self.assertIn("PAP: authenticated as 'web'", log)


if __name__ == '__main__':
    harness.main()

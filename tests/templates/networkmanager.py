'''NetworkManager mock template: dbusmock's stock template, closer to NM 1.42

Extends dbusmock.templates.networkmanager where libnm and nmcli notice the
difference from a real NetworkManager:

- Settings.Connection: Update2 (libnm's commit_changes), UpdateUnsaved, Save;
  Update/Update2 replace the settings instead of merging them; Flags and
  Filename properties; Settings.AddConnection2.
- Devices: the property is "Autoconnect" (the stock template says
  "AutoConnect"), settable with Properties.Set.
- Activation goes ACTIVATING -> ACTIVATED and deactivation DEACTIVATING ->
  DEACTIVATED, with the devices' and active connections' StateChanged
  signals, before the active connection is removed.
- Modem devices and GSM connections (AddModemDevice, AddGsmConnection,
  ActivateGsmConnection), RemoveDevice.
- Taking a modem's activation down while its device is in PREPARE (the
  modem still connecting) aborts this NetworkManager, as Debian's 1.42
  aborts once the modem's connect result arrives (an assertion in
  nm-device-modem.c, modem_prepare_result). Here it exits at once, with
  134, so that a test sees it.

Control methods are on org.freedesktop.DBus.Mock of /org/freedesktop, like
the stock template's (see tests/templates/README.md).

Parameters, besides the stock ones (all optional):
  Version (s)            default "1.42.4"
  ActivationDelay (u)    ms from ACTIVATING to ACTIVATED for ActivateConnection, default 50
  DeactivationDelay (u)  ms from DEACTIVATING to DEACTIVATED, default 20
'''

import os
import sys
import uuid as uuid_module

import dbus
from gi.repository import GLib

import dbusmock
from dbusmock.mockobject import DBusMockObject
from dbusmock.templates import networkmanager as stock
# The stock template: its constants, helpers and control methods
from dbusmock.templates.networkmanager import *  # noqa: F401,F403 pylint: disable=wildcard-import,unused-wildcard-import
from dbusmock.templates.networkmanager import (
    MOCK_IFACE, MANAGER_IFACE, MANAGER_OBJ, SETTINGS_OBJ, SETTINGS_IFACE, DEVICE_IFACE,
    CSETTINGS_IFACE, ACTIVE_CONNECTION_IFACE, DeviceState, NMActiveConnectionState)

MODEM_DEVICE_IFACE = 'org.freedesktop.NetworkManager.Device.Modem'
DEVICES_PREFIX = '/org/freedesktop/NetworkManager/Devices/'
ACTIVE_PREFIX = '/org/freedesktop/NetworkManager/ActiveConnection/'
SETTINGS_ERROR = 'org.freedesktop.NetworkManager.Settings'
AGENT_MANAGER_OBJ = '/org/freedesktop/NetworkManager/AgentManager'
AGENT_MANAGER_IFACE = 'org.freedesktop.NetworkManager.AgentManager'

DEVICE_TYPE_MODEM = 8
# NM_DEVICE_MODEM_CAPABILITY_GSM_UMTS | NM_DEVICE_MODEM_CAPABILITY_LTE
MODEM_CAPS = 0x4 | 0x8
NM_DEVICE_CAP_NM_SUPPORTED = 0x1
NM_METERED_GUESS_YES = 3

# NMDeviceStateReason
DEV_REASON_NONE = 0
DEV_REASON_CONNECTION_REMOVED = 38
DEV_REASON_USER_REQUESTED = 39
DEV_REASON_REMOVED = 36
DEV_REASON_NEW_ACTIVATION = 60

# NMActiveConnectionStateReason
AC_REASON_NONE = 1
AC_REASON_USER_DISCONNECTED = 2
AC_REASON_DEVICE_DISCONNECTED = 3
AC_REASON_CONNECTION_REMOVED = 11
AC_REASON_DEVICE_REMOVED = 14

# NMSettingsConnectionFlags
FLAG_UNSAVED = 0x1
# NMSettingsUpdate2Flags
UPDATE2_TO_DISK = 0x1
UPDATE2_IN_MEMORY = 0x2
UPDATE2_IN_MEMORY_DETACHED = 0x4
UPDATE2_IN_MEMORY_ONLY = 0x8
UPDATE2_VOLATILE = 0x10
UPDATE2_BLOCK_AUTOCONNECT = 0x20
UPDATE2_NO_REAPPLY = 0x40
UPDATE2_PERSIST_MODES = (UPDATE2_TO_DISK | UPDATE2_IN_MEMORY | UPDATE2_IN_MEMORY_DETACHED
                         | UPDATE2_IN_MEMORY_ONLY)
UPDATE2_ALL = UPDATE2_PERSIST_MODES | UPDATE2_VOLATILE | UPDATE2_BLOCK_AUTOCONNECT | UPDATE2_NO_REAPPLY
# NMSettingsAddConnection2Flags
ADD2_TO_DISK = 0x1
ADD2_IN_MEMORY = 0x2
ADD2_BLOCK_AUTOCONNECT = 0x20

ACTIVATING = NMActiveConnectionState.NM_ACTIVE_CONNECTION_STATE_ACTIVATING
ACTIVATED = NMActiveConnectionState.NM_ACTIVE_CONNECTION_STATE_ACTIVATED
DEACTIVATING = NMActiveConnectionState.NM_ACTIVE_CONNECTION_STATE_DEACTIVATING
DEACTIVATED = NMActiveConnectionState.NM_ACTIVE_CONNECTION_STATE_DEACTIVATED


def _no_strings():
    return dbus.Array([], signature='s')


def _error(name, message):
    return dbus.exceptions.DBusException(message, name=name)


def _main():
    return dbusmock.get_object('/org/freedesktop')


def _nm():
    return dbusmock.get_object(MANAGER_OBJ)


def _exists(path):
    return str(path) in dbusmock.mockobject.objects


def _update(obj, iface, values):
    '''Set properties; one PropertiesChanged with those that changed.'''
    props = obj.props[iface]
    changed = {}
    for name, value in values.items():
        if name in props and props[name] == value:
            continue
        props[name] = value
        changed[name] = value
    if changed:
        obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [
            iface, dbus.Dictionary(changed, signature='sv'), _no_strings()])


def _paths(values):
    return dbus.Array([dbus.ObjectPath(p) for p in values], signature='o')


def _devices():
    return [str(p) for p in _nm().props[MANAGER_IFACE]['Devices']]


def _connections():
    return [str(p) for p in dbusmock.get_object(SETTINGS_OBJ).props[SETTINGS_IFACE]['Connections']]


def _connection(path):
    path = str(path)
    if path not in _connections():
        raise _error(SETTINGS_ERROR + '.InvalidConnection', f'No connection at {path}')
    return dbusmock.get_object(path)


def _device(path):
    path = str(path)
    if path not in _devices():
        raise _error(MANAGER_IFACE + '.UnknownDevice', f'No device found for the requested path {path}')
    return dbusmock.get_object(path)


def _conn_type(conn):
    return str(conn.settings.get('connection', {}).get('type', ''))


def _is_modem(dev):
    return int(dev.props[DEVICE_IFACE]['DeviceType']) == DEVICE_TYPE_MODEM


#
# Devices
#

def _fix_device(dev):
    '''Real NetworkManager calls the property Autoconnect.'''
    props = dev.props.get(DEVICE_IFACE)
    if props is None:
        return
    if 'AutoConnect' in props:
        props['Autoconnect'] = dbus.Boolean(props.pop('AutoConnect'))
    props.setdefault('Autoconnect', dbus.Boolean(True))
    props.setdefault('Real', dbus.Boolean(True))
    props.setdefault('Udi', dbus.String(''))


def _set_device_state(dev, new_state, reason, extra=None):
    old_state = dbus.UInt32(dev.props[DEVICE_IFACE]['State'])
    values = dict(extra or {})
    values['State'] = dbus.UInt32(new_state)
    values['StateReason'] = dbus.Struct((dbus.UInt32(new_state), dbus.UInt32(reason)), signature='uu')
    _update(dev, DEVICE_IFACE, values)
    if old_state != new_state:
        dev.EmitSignal(DEVICE_IFACE, 'StateChanged', 'uuu', [
            dbus.UInt32(new_state), old_state, dbus.UInt32(reason)])


def _set_available(dev, conn_path, available):
    current = [str(p) for p in dev.props[DEVICE_IFACE]['AvailableConnections']]
    if available and conn_path not in current:
        current.append(conn_path)
    elif not available and conn_path in current:
        current.remove(conn_path)
    else:
        return
    _update(dev, DEVICE_IFACE, {'AvailableConnections': _paths(current)})


def _compatible(dev, conn):
    if _is_modem(dev):
        return _conn_type(conn) == 'gsm'
    return False


def _device_disconnect(dev):
    '''Device.Disconnect: deactivate and keep the device from autoconnecting.'''
    ac = str(dev.props[DEVICE_IFACE]['ActiveConnection'])
    if ac == '/' or not _exists(ac):
        raise _error('org.freedesktop.NetworkManager.Device.NotActive', 'This device is not active')
    _update(dev, DEVICE_IFACE, {'Autoconnect': dbus.Boolean(False)})
    _deactivate(ac, AC_REASON_USER_DISCONNECTED, DEV_REASON_USER_REQUESTED, _main().nm_deactivation_delay)


def _device_delete(_dev):
    raise _error('org.freedesktop.NetworkManager.Device.NotSoftware', 'This device is not a software device')


def _device_applied_connection(dev):
    ac = str(dev.props[DEVICE_IFACE]['ActiveConnection'])
    if ac == '/' or not _exists(ac):
        raise _error('org.freedesktop.NetworkManager.Device.NotActive', 'Device is not activated')
    conn = dbusmock.get_object(str(dbusmock.get_object(ac).props[ACTIVE_CONNECTION_IFACE]['Connection']))
    return (stock.ConnectionGetSettings(conn), dbus.UInt64(1))


#
# Connections
#

def _check_settings(conn, new_settings):
    old_uuid = str(conn.settings.get('connection', {}).get('uuid', ''))
    new_con = new_settings.get('connection')
    if new_con is None or 'id' not in new_con or 'type' not in new_con:
        raise _error(SETTINGS_ERROR + '.InvalidProperty', 'connection: property is missing')
    if 'uuid' in new_con and old_uuid and str(new_con['uuid']) != old_uuid:
        raise _error(SETTINGS_ERROR + '.InvalidProperty', 'connection.uuid: cannot change the UUID')


def _replace_settings(conn, new_settings):
    '''NetworkManager replaces the whole profile; secrets the caller did not
    send are kept, as NM keeps stored system secrets.'''
    _check_settings(conn, new_settings)
    replaced = {}
    for name, setting in new_settings.items():
        replaced[str(name)] = {str(k): v for k, v in setting.items()}
    for name, setting in conn.settings.items():
        if 'secrets' in setting and name in replaced and 'secrets' not in replaced[name]:
            replaced[name]['secrets'] = setting['secrets']
    replaced['connection'].setdefault('uuid', conn.settings['connection']['uuid'])
    conn.settings = replaced


def _commit(conn, new_settings, persist):
    '''persist: True to disk, False in memory, None keep as it is.'''
    if new_settings:
        _replace_settings(conn, new_settings)
    props = conn.props[CSETTINGS_IFACE]
    unsaved = bool(props['Unsaved']) if persist is None else not persist
    flags = int(props['Flags'])
    flags = flags | FLAG_UNSAVED if unsaved else flags & ~FLAG_UNSAVED
    _update(conn, CSETTINGS_IFACE, {'Unsaved': dbus.Boolean(unsaved), 'Flags': dbus.UInt32(flags)})
    conn.EmitSignal(CSETTINGS_IFACE, 'Updated', '', [])

    conn_id = conn.settings['connection'].get('id', '')
    for ac_path in _nm().props[MANAGER_IFACE]['ActiveConnections']:
        ac = dbusmock.get_object(str(ac_path))
        if ac.props[ACTIVE_CONNECTION_IFACE]['Connection'] == conn.path:
            _update(ac, ACTIVE_CONNECTION_IFACE, {'Id': dbus.String(conn_id)})


def _update2(conn, new_settings, flags, args):
    flags = int(flags)
    if flags & ~UPDATE2_ALL:
        raise _error(SETTINGS_ERROR + '.InvalidArguments', 'Unknown flags')
    modes = flags & UPDATE2_PERSIST_MODES
    if (modes & (modes - 1)) or (flags & UPDATE2_VOLATILE and not flags & (UPDATE2_IN_MEMORY_DETACHED
                                                                            | UPDATE2_IN_MEMORY_ONLY)):
        raise _error(SETTINGS_ERROR + '.InvalidArguments', 'Conflicting flags')
    for name in args:
        if name not in ('plugin', 'version-id'):
            raise _error(SETTINGS_ERROR + '.InvalidArguments', f"Unsupported argument '{name}'")
    persist = True if modes == UPDATE2_TO_DISK else (None if not modes else False)
    _commit(conn, new_settings, persist)
    if flags & UPDATE2_BLOCK_AUTOCONNECT:
        conn.nm_autoconnect_blocked = True
    return dbus.Dictionary({}, signature='sv')


def _delete_connection(conn):
    '''Deactivate it wherever it is active, then remove it.'''
    nm = _nm()
    for ac_path in list(nm.props[MANAGER_IFACE]['ActiveConnections']):
        ac = dbusmock.get_object(str(ac_path))
        if ac.props[ACTIVE_CONNECTION_IFACE]['Connection'] == conn.path:
            _deactivate(str(ac_path), AC_REASON_CONNECTION_REMOVED, DEV_REASON_CONNECTION_REMOVED, None)
    for dev_path in _devices():
        _set_available(dbusmock.get_object(dev_path), conn.path, False)

    settings_obj = dbusmock.get_object(SETTINGS_OBJ)
    remaining = [p for p in _connections() if p != conn.path]
    _update(settings_obj, SETTINGS_IFACE, {'Connections': _paths(remaining)})
    settings_obj.EmitSignal(SETTINGS_IFACE, 'ConnectionRemoved', 'o', [dbus.ObjectPath(conn.path)])
    conn.EmitSignal(CSETTINGS_IFACE, 'Removed', '', [])
    main = _main()
    main.object_manager_emit_removed(conn.path)
    main.RemoveObject(conn.path)


def _fix_connection(conn):
    '''Replace the stock Update (a merge) and add what libnm 1.42 calls.'''
    if getattr(conn, 'nm_fixed', False):
        return
    conn.nm_fixed = True
    props = conn.props[CSETTINGS_IFACE]
    unsaved = bool(props.get('Unsaved', False))
    props['Unsaved'] = dbus.Boolean(unsaved)
    props.setdefault('Flags', dbus.UInt32(FLAG_UNSAVED if unsaved else 0))
    props.setdefault('Filename', dbus.String(''))
    conn.AddMethods(CSETTINGS_IFACE, [
        ('Update', 'a{sa{sv}}', '', lambda c, s: _commit(c, s, True)),
        ('UpdateUnsaved', 'a{sa{sv}}', '', lambda c, s: _commit(c, s, False)),
        ('Update2', 'a{sa{sv}}ua{sv}', 'a{sv}', _update2),
        ('Save', '', '', lambda c: _commit(c, None, True)),
        ('ClearSecrets', '', '', lambda c: None),
        ('Delete', '', '', _delete_connection),
    ])


def _add_connection(settings, unsaved):
    settings = {str(name): {str(k): v for k, v in setting.items()} for name, setting in settings.items()}
    con = settings.get('connection')
    if con is None or 'type' not in con or 'id' not in con:
        raise _error(SETTINGS_ERROR + '.InvalidProperty', 'connection: property is missing')
    con.setdefault('uuid', dbus.String(str(uuid_module.uuid4())))
    for path in _connections():
        if str(dbusmock.get_object(path).settings['connection']['uuid']) == str(con['uuid']):
            raise _error(SETTINGS_ERROR + '.UuidExists', f'A connection with UUID {con["uuid"]} already exists')

    # NetworkManager numbers its objects from 1 and never reuses a number
    main = _main()
    while True:
        main.nm_next_connection += 1
        path = f'{SETTINGS_OBJ}/{main.nm_next_connection}'
        if not _exists(path):
            break

    main.AddObject(path, CSETTINGS_IFACE, {'Unsaved': dbus.Boolean(unsaved)}, [
        ('GetSettings', '', 'a{sa{sv}}', stock.ConnectionGetSettings),
        ('GetSecrets', 's', 'a{sa{sv}}', stock.ConnectionGetSecrets),
    ])
    conn = dbusmock.get_object(path)
    conn.settings = settings
    conn.connection_path = path
    _fix_connection(conn)
    main.object_manager_emit_added(path)

    settings_obj = dbusmock.get_object(SETTINGS_OBJ)
    _update(settings_obj, SETTINGS_IFACE, {'Connections': _paths(_connections() + [path])})
    settings_obj.EmitSignal(SETTINGS_IFACE, 'NewConnection', 'o', [dbus.ObjectPath(path)])
    for dev_path in _devices():
        dev = dbusmock.get_object(dev_path)
        if _compatible(dev, conn):
            _set_available(dev, path, True)
    return dbus.ObjectPath(path)


def _add_connection2(settings, flags, args):
    flags = int(flags)
    if flags & ~(ADD2_TO_DISK | ADD2_IN_MEMORY | ADD2_BLOCK_AUTOCONNECT):
        raise _error(SETTINGS_ERROR + '.InvalidArguments', 'Unknown flags')
    if bool(flags & ADD2_TO_DISK) == bool(flags & ADD2_IN_MEMORY):
        raise _error(SETTINGS_ERROR + '.InvalidArguments', 'Exactly one of TO_DISK and IN_MEMORY is required')
    for name in args:
        if name != 'plugin':
            raise _error(SETTINGS_ERROR + '.InvalidArguments', f"Unsupported argument '{name}'")
    path = _add_connection(settings, bool(flags & ADD2_IN_MEMORY))
    return (path, dbus.Dictionary({}, signature='sv'))


#
# Active connections
#

def _manager_remove_active(ac_path):
    nm = _nm()
    props = nm.props[MANAGER_IFACE]
    values = {'ActiveConnections': _paths([p for p in props['ActiveConnections'] if p != ac_path])}
    if props.get('PrimaryConnection') == ac_path:
        values['PrimaryConnection'] = dbus.ObjectPath('/')
        values['PrimaryConnectionType'] = dbus.String('')
    if props.get('ActivatingConnection') == ac_path:
        values['ActivatingConnection'] = dbus.ObjectPath('/')
    _update(nm, MANAGER_IFACE, values)


def _set_ac_state(ac, state, reason, extra=None):
    # NetworkManager emits StateChanged, then notifies the property
    ac.EmitSignal(ACTIVE_CONNECTION_IFACE, 'StateChanged', 'uu', [dbus.UInt32(state), dbus.UInt32(reason)])
    values = {'State': dbus.UInt32(state)}
    values.update(extra or {})
    _update(ac, ACTIVE_CONNECTION_IFACE, values)


def _finish_deactivation(ac_path, ac_reason, dev_reason):
    if not _exists(ac_path):
        return
    ac = dbusmock.get_object(ac_path)
    if int(ac.props[ACTIVE_CONNECTION_IFACE]['State']) == DEACTIVATED:
        return
    devices = [str(d) for d in ac.props[ACTIVE_CONNECTION_IFACE]['Devices']]
    _set_ac_state(ac, DEACTIVATED, ac_reason, {'Devices': _paths([])})
    for dev_path in devices:
        if not _exists(dev_path):
            continue
        dev = dbusmock.get_object(dev_path)
        if str(dev.props[DEVICE_IFACE]['ActiveConnection']) != ac_path:
            continue
        _set_device_state(dev, DeviceState.DISCONNECTED, dev_reason, {
            'ActiveConnection': dbus.ObjectPath('/'),
            'IpInterface': dbus.String(''),
        })
    _manager_remove_active(ac_path)
    main = _main()
    main.object_manager_emit_removed(ac_path)
    main.RemoveObject(ac_path)


def _deactivate(ac_path, ac_reason, dev_reason, delay):
    '''DEACTIVATING now; DEACTIVATED, device DISCONNECTED and removal after
    delay ms (None: right away).'''
    ac_path = str(ac_path)
    ac = dbusmock.get_object(ac_path)
    if int(ac.props[ACTIVE_CONNECTION_IFACE]['State']) < DEACTIVATING:
        _set_ac_state(ac, DEACTIVATING, ac_reason)
        for dev_path in ac.props[ACTIVE_CONNECTION_IFACE]['Devices']:
            if _exists(dev_path):
                _set_device_state(dbusmock.get_object(str(dev_path)), DeviceState.DEACTIVATING, dev_reason)
    if delay is None:
        _finish_deactivation(ac_path, ac_reason, dev_reason)
    else:
        GLib.timeout_add(int(delay), lambda: _finish_deactivation(ac_path, ac_reason, dev_reason) and False)


def _complete_activation(ac_path, dev_path, ip_iface):
    if not _exists(ac_path):
        return
    ac = dbusmock.get_object(ac_path)
    if int(ac.props[ACTIVE_CONNECTION_IFACE]['State']) != ACTIVATING:
        return
    dev = dbusmock.get_object(dev_path)
    conn = dbusmock.get_object(str(ac.props[ACTIVE_CONNECTION_IFACE]['Connection']))
    _set_device_state(dev, DeviceState.CONFIG, DEV_REASON_NONE)
    _set_device_state(dev, DeviceState.IP_CONFIG, DEV_REASON_NONE, {'IpInterface': dbus.String(ip_iface)})
    if MODEM_DEVICE_IFACE in dev.props and 'gsm' in conn.settings:
        _update(dev, MODEM_DEVICE_IFACE, {'Apn': dbus.String(conn.settings['gsm'].get('apn', ''))})
    _set_device_state(dev, DeviceState.ACTIVATED, DEV_REASON_NONE)
    _set_ac_state(ac, ACTIVATED, AC_REASON_NONE)

    nm = _nm()
    values = {'PrimaryConnection': dbus.ObjectPath(ac_path),
              'PrimaryConnectionType': dbus.String(_conn_type(conn))}
    if nm.props[MANAGER_IFACE].get('ActivatingConnection') == ac_path:
        values['ActivatingConnection'] = dbus.ObjectPath('/')
    _update(nm, MANAGER_IFACE, values)


def _activate(conn_path, dev_path, specific_object, ip_iface, delay):
    '''A new active connection in ACTIVATING; ACTIVATED after delay ms
    (None: before returning).'''
    conn = _connection(conn_path)
    dev = _device(dev_path)
    dev_path = dev.path
    main = _main()
    conn.nm_autoconnect_blocked = False

    current = str(dev.props[DEVICE_IFACE]['ActiveConnection'])
    if current != '/' and _exists(current):
        _deactivate(current, AC_REASON_DEVICE_DISCONNECTED, DEV_REASON_NEW_ACTIVATION, None)

    while True:
        main.nm_next_active += 1
        ac_path = f'{ACTIVE_PREFIX}{main.nm_next_active}'
        if not _exists(ac_path):
            break
    con = conn.settings['connection']
    conn_type = _conn_type(conn)
    main.AddObject(ac_path, ACTIVE_CONNECTION_IFACE, {
        'Connection': dbus.ObjectPath(conn.path),
        'SpecificObject': dbus.ObjectPath(specific_object or '/'),
        'Id': dbus.String(con.get('id', '')),
        'Uuid': dbus.String(con.get('uuid', '')),
        'Type': dbus.String(conn_type),
        'Devices': _paths([dev_path]),
        'State': dbus.UInt32(ACTIVATING),
        'StateFlags': dbus.UInt32(0),
        'Default': dbus.Boolean(False),
        'Ip4Config': dbus.ObjectPath('/'),
        'Dhcp4Config': dbus.ObjectPath('/'),
        'Default6': dbus.Boolean(False),
        'Ip6Config': dbus.ObjectPath('/'),
        'Dhcp6Config': dbus.ObjectPath('/'),
        'Vpn': dbus.Boolean(conn_type == 'vpn'),
        'Master': dbus.ObjectPath('/'),
    }, [])
    main.object_manager_emit_added(ac_path)

    nm = _nm()
    active = list(nm.props[MANAGER_IFACE]['ActiveConnections']) + [ac_path]
    _update(nm, MANAGER_IFACE, {'ActiveConnections': _paths(active),
                                'ActivatingConnection': dbus.ObjectPath(ac_path)})
    _set_device_state(dev, DeviceState.PREPARE, DEV_REASON_NONE, {
        'ActiveConnection': dbus.ObjectPath(ac_path),
        # before the data connection exists, NM reports the control interface
        'IpInterface': dev.props[DEVICE_IFACE]['Interface'],
    })

    ip_iface = str(ip_iface) or getattr(dev, 'nm_ip_iface', '') or str(dev.props[DEVICE_IFACE]['Interface'])
    if delay is None:
        _complete_activation(ac_path, dev_path, ip_iface)
    else:
        GLib.timeout_add(int(delay), lambda: _complete_activation(ac_path, dev_path, ip_iface) and False)
    return dbus.ObjectPath(ac_path)


def _pick_device(conn):
    devices = [dbusmock.get_object(p) for p in _devices()]
    for dev in devices:
        if conn.path in [str(p) for p in dev.props[DEVICE_IFACE]['AvailableConnections']]:
            return dev.path
    for dev in devices:
        if _compatible(dev, conn):
            return dev.path
    raise _error(MANAGER_IFACE + '.UnknownDevice', 'No suitable device found for this connection')


def _activate_connection(_self, conn_path, dev_path, specific_object):
    '''Manager.ActivateConnection (what nmcli connection up and libnm use).'''
    conn = _connection(conn_path)
    if _conn_type(conn) == 'vpn':
        return stock.activate_connection(_self, conn_path, dev_path, specific_object)
    if str(dev_path) == '/':
        dev_path = _pick_device(conn)
    return _activate(conn.path, dev_path, specific_object, '', _main().nm_activation_delay)


def _deactivate_connection(_self, ac_path):
    '''Manager.DeactivateConnection.'''
    if str(ac_path) not in [str(p) for p in _nm().props[MANAGER_IFACE]['ActiveConnections']]:
        raise _error(MANAGER_IFACE + '.ConnectionNotActive', 'The connection was not active.')
    # NetworkManager's policy blocks autoconnect of a profile the user took down
    ac = dbusmock.get_object(str(ac_path))
    conn_path = str(ac.props[ACTIVE_CONNECTION_IFACE]['Connection'])
    if _exists(conn_path):
        dbusmock.get_object(conn_path).nm_autoconnect_blocked = True
    if any(_modem_preparing(str(p)) for p in ac.props[ACTIVE_CONNECTION_IFACE]['Devices']):
        _abort_on_prepare_result()
    _deactivate(ac_path, AC_REASON_USER_DISCONNECTED, DEV_REASON_USER_REQUESTED,
                _main().nm_deactivation_delay)


def _modem_preparing(dev_path):
    if not _exists(dev_path):
        return False
    dev = dbusmock.get_object(dev_path)
    return _is_modem(dev) and int(dev.props[DEVICE_IFACE]['State']) == DeviceState.PREPARE


def _abort_on_prepare_result():
    sys.stderr.write('NetworkManager: assertion failed in modem_prepare_result: the device was '
                     'taken down while its modem was connecting\n')
    sys.stderr.flush()
    os._exit(134)


def _autoconnect_candidate(dev):
    if not dev.props[DEVICE_IFACE]['Autoconnect'] or str(dev.props[DEVICE_IFACE]['ActiveConnection']) != '/':
        return None
    for path in dev.props[DEVICE_IFACE]['AvailableConnections']:
        conn = dbusmock.get_object(str(path))
        if conn.settings['connection'].get('autoconnect', True) and not getattr(conn, 'nm_autoconnect_blocked', False):
            return conn
    return None


#
# Template entry point
#

def _object_manager_emit_added(mock, path):
    '''Every object goes through here before InterfacesAdded: fix stock
    devices and connections as they appear.'''
    obj = dbusmock.get_object(path)
    is_device = path.startswith(DEVICES_PREFIX)
    if is_device:
        _fix_device(obj)
    elif CSETTINGS_IFACE in obj.props:
        _fix_connection(obj)
    DBusMockObject.object_manager_emit_added(mock, path)
    if is_device:
        # only once the object exists: libnm checks references
        nm = _nm()
        all_devices = [str(p) for p in nm.props[MANAGER_IFACE].get('AllDevices', [])]
        if path not in all_devices:
            _update(nm, MANAGER_IFACE, {'AllDevices': _paths(all_devices + [path])})


def load(mock, parameters):
    parameters = dict(parameters or {})
    parameters.setdefault('Version', '1.42.4')
    parameters.setdefault('WwanEnabled', True)
    mock.nm_activation_delay = int(parameters.pop('ActivationDelay', 50))
    mock.nm_deactivation_delay = int(parameters.pop('DeactivationDelay', 20))
    mock.nm_next_connection = 0
    mock.nm_next_active = 0
    mock.object_manager_emit_added = lambda path: _object_manager_emit_added(mock, str(path))

    stock.load(mock, parameters)

    nm = _nm()
    nm.activate_connection = _activate_connection
    nm.deactivate_connection = _deactivate_connection
    nm.AddProperties(MANAGER_IFACE, {
        'AllDevices': dbus.Array([], signature='o'),
        'PrimaryConnection': dbus.ObjectPath('/'),
        'PrimaryConnectionType': dbus.String(''),
        'ActivatingConnection': dbus.ObjectPath('/'),
        'Metered': dbus.UInt32(0),
    })
    nm.AddMethods(MANAGER_IFACE, [
        ('GetAllDevices', '', 'ao', lambda obj: obj.props[MANAGER_IFACE]['AllDevices']),
    ])

    # nmcli registers a secret agent and retries for 3 s when it cannot
    mock.AddObject(AGENT_MANAGER_OBJ, AGENT_MANAGER_IFACE, {}, [
        ('Register', 's', '', ''),
        ('RegisterWithCapabilities', 'su', '', ''),
        ('Unregister', '', '', ''),
    ])
    mock.object_manager_emit_added(AGENT_MANAGER_OBJ)

    settings_obj = dbusmock.get_object(SETTINGS_OBJ)
    settings_obj.AddMethods(SETTINGS_IFACE, [
        ('AddConnection', 'a{sa{sv}}', 'o', lambda obj, s: _add_connection(s, False)),
        ('AddConnectionUnsaved', 'a{sa{sv}}', 'o', lambda obj, s: _add_connection(s, True)),
        ('AddConnection2', 'a{sa{sv}}ua{sv}', 'oa{sv}', lambda obj, s, f, a: _add_connection2(s, f, a)),
    ])


#
# Control methods (org.freedesktop.DBus.Mock, like the stock template's)
#

@dbus.service.method(MOCK_IFACE, in_signature='ssssu', out_signature='o')
def AddModemDevice(self, device_name, udi, iface, ip_iface, state):
    '''Add a ModemManager-backed device (DeviceType 8).

    udi: the ModemManager modem object path. iface: the control port
    (cdc-wdm0); ip_iface: the data interface once activated (wwan0, ppp0).
    '''
    path = DEVICES_PREFIX + device_name
    if _exists(path):
        raise _error(MANAGER_IFACE + '.AlreadyExists', f'Device {device_name} already exists')
    self.AddObject(path, MODEM_DEVICE_IFACE, {
        'ModemCapabilities': dbus.UInt32(MODEM_CAPS),
        'CurrentCapabilities': dbus.UInt32(MODEM_CAPS),
        'DeviceId': dbus.String(''),
        'OperatorCode': dbus.String(''),
        'Apn': dbus.String(''),
    }, [])
    dev = dbusmock.get_object(path)
    dev.nm_ip_iface = str(ip_iface)
    gsm = [p for p in _connections() if _conn_type(dbusmock.get_object(p)) == 'gsm']
    dev.AddProperties(DEVICE_IFACE, {
        'Udi': dbus.String(udi),
        'Interface': dbus.String(iface),
        'IpInterface': dbus.String(ip_iface if int(state) == DeviceState.ACTIVATED else ''),
        'Driver': dbus.String('qmi_wwan'),
        'DriverVersion': dbus.String(''),
        'FirmwareVersion': dbus.String(''),
        'Capabilities': dbus.UInt32(NM_DEVICE_CAP_NM_SUPPORTED),
        'State': dbus.UInt32(state),
        'StateReason': dbus.Struct((dbus.UInt32(state), dbus.UInt32(DEV_REASON_NONE)), signature='uu'),
        'ActiveConnection': dbus.ObjectPath('/'),
        'Ip4Config': dbus.ObjectPath('/'),
        'Dhcp4Config': dbus.ObjectPath('/'),
        'Ip6Config': dbus.ObjectPath('/'),
        'Dhcp6Config': dbus.ObjectPath('/'),
        'Managed': dbus.Boolean(True),
        'Autoconnect': dbus.Boolean(True),
        'FirmwareMissing': dbus.Boolean(False),
        'NmPluginMissing': dbus.Boolean(False),
        'DeviceType': dbus.UInt32(DEVICE_TYPE_MODEM),
        'AvailableConnections': _paths(gsm),
        'PhysicalPortId': dbus.String(''),
        'Mtu': dbus.UInt32(1500),
        'Metered': dbus.UInt32(NM_METERED_GUESS_YES),
        'LldpNeighbors': dbus.Array([], signature='a{sv}'),
        'Real': dbus.Boolean(True),
        'Ip4Connectivity': dbus.UInt32(0),
        'Ip6Connectivity': dbus.UInt32(0),
        'InterfaceFlags': dbus.UInt32(0),
        'HwAddress': dbus.String(''),
    })
    dev.AddMethods(DEVICE_IFACE, [
        ('Disconnect', '', '', _device_disconnect),
        ('GetAppliedConnection', 'u', 'a{sa{sv}}t', lambda d, flags: _device_applied_connection(d)),
        ('Reapply', 'a{sa{sv}}tu', '', lambda d, c, v, f: None),
        ('Delete', '', '', _device_delete),
    ])
    self.object_manager_emit_added(path)

    nm = _nm()
    _update(nm, MANAGER_IFACE, {'Devices': _paths(_devices() + [path])})
    nm.EmitSignal(MANAGER_IFACE, 'DeviceAdded', 'o', [dbus.ObjectPath(path)])
    return dbus.ObjectPath(path)


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='')
def RemoveDevice(self, device_path):
    '''The device goes away (modem unplugged): its connection is deactivated.'''
    dev = _device(device_path)
    ac = str(dev.props[DEVICE_IFACE]['ActiveConnection'])
    if ac != '/' and _exists(ac):
        _deactivate(ac, AC_REASON_DEVICE_REMOVED, DEV_REASON_REMOVED, None)
    nm = _nm()
    _update(nm, MANAGER_IFACE, {
        'Devices': _paths([p for p in _devices() if p != dev.path]),
        'AllDevices': _paths([p for p in nm.props[MANAGER_IFACE]['AllDevices'] if p != dev.path]),
    })
    nm.EmitSignal(MANAGER_IFACE, 'DeviceRemoved', 'o', [dbus.ObjectPath(dev.path)])
    self.object_manager_emit_removed(dev.path)
    self.RemoveObject(dev.path)


@dbus.service.method(MOCK_IFACE, in_signature='sssa{ss}b', out_signature='o')
def AddGsmConnection(_self, conn_id, conn_uuid, sim_id, user_data, autoconnect):
    '''Add a saved GSM connection profile (APN "internet").

    sim_id: gsm.sim-id (ICCID), or "" for none; user_data: NMSettingUser
    data, left out when empty.
    '''
    settings = {
        'connection': {
            'id': dbus.String(conn_id),
            'uuid': dbus.String(conn_uuid or str(uuid_module.uuid4())),
            'type': dbus.String('gsm'),
            'autoconnect': dbus.Boolean(autoconnect),
        },
        'gsm': {'apn': dbus.String('internet')},
        'ipv4': {'method': dbus.String('auto')},
        'ipv6': {'method': dbus.String('auto')},
    }
    if sim_id:
        settings['gsm']['sim-id'] = dbus.String(sim_id)
    if user_data:
        settings['user'] = {'data': dbus.Dictionary({str(k): str(v) for k, v in user_data.items()},
                                                    signature='ss')}
    return _add_connection(settings, False)


@dbus.service.method(MOCK_IFACE, in_signature='oos', out_signature='o')
def ActivateGsmConnection(_self, conn_path, device_path, ip_iface):
    '''Activate a GSM connection on a modem device; returns the active
    connection, already ACTIVATED (the ACTIVATING step is emitted first).

    ip_iface: the data interface ("" = the one given to AddModemDevice).
    '''
    conn = _connection(conn_path)
    dev = _device(device_path)
    if _conn_type(conn) != 'gsm' or not _is_modem(dev):
        raise _error(MANAGER_IFACE + '.UnknownConnection', 'Needs a gsm connection and a modem device')
    return _activate(conn.path, dev.path, '/', ip_iface, None)


@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='')
def RemoveActiveConnection(_self, _dev_path, active_connection_path):
    '''Stock control method, now through DEACTIVATING and DEACTIVATED.'''
    if _exists(active_connection_path):
        _deactivate(active_connection_path, AC_REASON_DEVICE_DISCONNECTED, DEV_REASON_NONE, None)


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='o')
def TriggerAutoconnect(_self, device_path):
    '''Do what NetworkManager's autoconnect would do now on this device.

    Activates the first available connection with connection.autoconnect
    that is not blocked (taken down with DeactivateConnection, or updated with
    Update2's BLOCK_AUTOCONNECT flag), if the device's Autoconnect is TRUE
    and it has no active connection. Returns the active connection, or "/".
    '''
    dev = _device(device_path)
    conn = _autoconnect_candidate(dev)
    if conn is None:
        return dbus.ObjectPath('/')
    return _activate(conn.path, dev.path, '/', '', None)

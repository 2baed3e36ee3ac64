#!/usr/bin/python3
"""Runs a python-dbusmock template like `python3 -m dbusmock -t`, but claims
the bus name only after the template has built its objects — as the real
services do (ModemManager exports its ObjectManager before it owns its
name). dbusmock's own launcher claims the name first, so a client that
reacts to the name appearing can find no objects yet."""

import argparse
import ctypes
import json

import dbus
import dbus.mainloop.glib
import dbus.service

import dbusmock.mockobject
import dbusmock.testcase

parser = argparse.ArgumentParser()
parser.add_argument('-t', '--template', required=True)
parser.add_argument('-p', '--parameters', default='{}')
parser.add_argument('--session', action='store_true')
args = parser.parse_args()

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
module = dbusmock.mockobject.load_module(args.template)
system_bus = module.SYSTEM_BUS and not args.session
is_om = getattr(module, 'IS_OBJECT_MANAGER', False)
iface = module.MAIN_IFACE if hasattr(module, 'MAIN_IFACE') else dbusmock.mockobject.OBJECT_MANAGER_IFACE

bus = dbusmock.testcase.DBusTestCase.get_dbus(system_bus)
running = {True}
bus.add_signal_receiver(running.pop, signal_name='Disconnected',
                        path='/org/freedesktop/DBus/Local', dbus_interface='org.freedesktop.DBus.Local')

# objects first, on the bare connection ...
main_object = dbusmock.mockobject.DBusMockObject(bus, module.MAIN_OBJ, iface, {}, None, is_om)
main_object.AddTemplate(args.template, json.loads(args.parameters))
dbusmock.mockobject.objects[module.MAIN_OBJ] = main_object
# ... then the name
name = dbus.service.BusName(module.BUS_NAME, bus, allow_replacement=True,
                            replace_existing=True, do_not_queue=True)

libglib = ctypes.cdll.LoadLibrary('libglib-2.0.so.0')
while running:
    libglib.g_main_context_iteration(None, True)

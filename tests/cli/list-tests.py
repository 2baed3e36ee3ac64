#!/usr/bin/python3
"""Prints Class.method for each test method in the given files, so that
meson registers every case as a test of its own."""
import ast
import sys

for path in sys.argv[1:]:
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith('test_'):
                    print('%s.%s' % (node.name, item.name))

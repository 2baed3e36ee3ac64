#!/usr/bin/python3
"""Prints Class.method for every test in the given test files, so meson
registers each case as its own test."""
import ast
import sys

for path in sys.argv[1:]:
    tree = ast.parse(open(path).read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith('test_'):
                    print('%s.%s' % (node.name, item.name))

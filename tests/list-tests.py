#!/usr/bin/python3
"""Prints Class.method for every test in the given test files, so meson
registers each case as its own test. As unittest does, a class runs the
tests of the classes it derives from in the same file too, except those it
sets to None."""
import ast
import sys

for path in sys.argv[1:]:
    tree = ast.parse(open(path).read())
    tests = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        names = [name for base in node.bases if isinstance(base, ast.Name)
                 for name in tests.get(base.id, [])]
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name.startswith('test_'):
                if item.name not in names:
                    names.append(item.name)
            elif isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant) \
                    and item.value.value is None:
                unset = [t.id for t in item.targets if isinstance(t, ast.Name)]
                names = [name for name in names if name not in unset]
        tests[node.name] = names
        for name in names:
            print('%s.%s' % (node.name, name))

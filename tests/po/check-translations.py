#!/usr/bin/python3
"""Checks one catalogue in po/ (TAP): msgfmt -c accepts it, every message
is translated and none is fuzzy, its msgids are those of the sources as
they are now, and POTFILES.in names every source file that marks strings.

Usage: check-translations.py --source-root DIR --lang LL
"""

import argparse
import gettext
import os
import re
import subprocess
import sys
import tempfile

PACKAGE = 'simbudget'

# The keywords of meson's i18n.gettext(preset: 'glib'), which po/meson.build
# uses: the template made here must hold the msgids that `meson compile
# simbudget-pot` would write.
XGETTEXT_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
]

# Calls that mark a string for translation in C.
MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dcgettext'
                  r'|g_dpgettext2?)\s*\(')

# Languages whose plural rule is known here.
NPLURALS = {'ja': 1, 'zh_CN': 1, 'zh_TW': 1, 'ko': 1}

STATISTICS = re.compile(r'(\d+) (translated message|fuzzy translation|untranslated message)')

ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', 'a': '\a', 'b': '\b',
           'f': '\f', 'v': '\v'}


def run(argv, **kwargs):
    env = dict(os.environ, LC_ALL='C.UTF-8')
    env.pop('LANGUAGE', None)
    return subprocess.run(argv, env=env, text=True, capture_output=True, **kwargs)


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def result(self, ok, name, details=''):
        self.count += 1
        if not ok:
            self.failed += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.count, name))
        for line in details.rstrip('\n').splitlines():
            print('# ' + line)
        sys.stdout.flush()


def potfiles(source_root):
    with open(os.path.join(source_root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        return [line.strip() for line in f
                if line.strip() and not line.lstrip().startswith('#')]


def marking_sources(source_root):
    """C files under the source root (not tests, not build directories)
    that call a marking function."""
    found = []
    for top, dirs, files in os.walk(source_root):
        rel_top = os.path.relpath(top, source_root)
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith('.') and
                         not (rel_top == '.' and d in ('tests', 'subprojects')) and
                         not os.path.exists(os.path.join(top, d, 'meson-private')))
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(top, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                if MARK.search(f.read()):
                    found.append(os.path.relpath(path, source_root))
    return found


def unquote(text):
    """A PO string's content: the text between the quotes, unescaped."""
    return re.sub(r'\\(.)', lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def msgids(path, *only):
    """The (msgctxt, msgid, msgid_plural) of each live message in a PO or
    POT file, the header apart; @only: msgattrib options that select."""
    proc = run(['msgattrib', '--no-wrap', '--no-location', '--no-obsolete', *only,
                '-o', '-', path], check=True)
    found = set()
    entry, field = {}, None

    def finish():
        if entry.get('msgid'):
            found.add((entry.get('msgctxt'), entry['msgid'], entry.get('msgid_plural')))

    for line in proc.stdout.splitlines() + ['']:
        keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
        if keyword:
            field = keyword.group(1)
            if field in ('msgctxt', 'msgid') and any(k.startswith('msgstr') for k in entry):
                finish()
                entry = {}
            entry[field] = unquote(keyword.group(2))
        elif line.startswith('"') and field is not None:
            entry[field] += unquote(line)
        elif not line.strip():
            finish()
            entry, field = {}, None
    return found


def describe(key):
    ctx, msgid, plural = key
    text = repr(msgid)
    if ctx is not None:
        text = '[%s] %s' % (ctx, text)
    if plural is not None:
        text += ' / ' + repr(plural)
    return text


def untranslated_report(po):
    """The messages that are untranslated or fuzzy, for the log."""
    lines = []
    for option, what in (('--untranslated', 'untranslated'), ('--only-fuzzy', 'fuzzy')):
        lines += ['%s: %s' % (what, describe(k)) for k in sorted(msgids(po, option), key=repr)]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--lang', required=True)
    args = parser.parse_args()

    root = os.path.abspath(args.source_root)
    lang = args.lang
    po = os.path.join(root, 'po', lang + '.po')
    tap = Tap()
    print('1..5')

    if not os.path.isfile(po):
        print('Bail out! %s does not exist' % po)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        # 1. msgfmt -c: format strings, header, plural forms.
        mo = os.path.join(tmp, lang + '.mo')
        proc = run(['msgfmt', '-c', '--statistics', '-o', mo, po])
        tap.result(proc.returncode == 0, '%s.po passes msgfmt -c' % lang, proc.stderr)

        # 2. The header names the language and its plural rule.
        problems = []
        if run(['msgfmt', '-o', mo, po]).returncode == 0:
            with open(mo, 'rb') as f:
                info = gettext.GNUTranslations(f).info()
            if info.get('language') != lang:
                problems.append('Language is %r, not %r' % (info.get('language'), lang))
            plural = info.get('plural-forms', '')
            m = re.search(r'nplurals\s*=\s*(\d+)', plural)
            if m is None:
                problems.append('no Plural-Forms nplurals in %r' % plural)
            elif lang in NPLURALS and int(m.group(1)) != NPLURALS[lang]:
                problems.append('Plural-Forms %r: %s has nplurals=%d' % (plural, lang, NPLURALS[lang]))
        else:
            problems.append('not compiled')
        tap.result(not problems, '%s.po header: Language and Plural-Forms' % lang,
                   '\n'.join(problems))

        # 3. Every message translated, none fuzzy.
        counts = {kind: int(n) for n, kind in STATISTICS.findall(proc.stderr)}
        translated = counts.get('translated message', 0)
        fuzzy = counts.get('fuzzy translation', 0)
        untranslated = counts.get('untranslated message', 0)
        complete = translated > 0 and fuzzy == 0 and untranslated == 0
        details = '%d translated, %d fuzzy, %d untranslated\n' % (translated, fuzzy, untranslated)
        if not complete:
            details += untranslated_report(po)
        tap.result(complete, '%s.po: every message translated, none fuzzy' % lang, details)

        # 4. In step with the sources: the template xgettext makes now has
        # exactly the msgids of the catalogue.
        pot = os.path.join(tmp, PACKAGE + '.pot')
        proc = run(['xgettext', '--package-name=' + PACKAGE, '-f',
                    os.path.join(root, 'po', 'POTFILES.in'), '-D', root, '-o', pot]
                   + XGETTEXT_ARGS)
        if proc.returncode != 0:
            tap.result(False, '%s.po has the msgids of the sources' % lang,
                       'xgettext failed:\n' + proc.stderr)
        else:
            try:
                in_sources = msgids(pot)
                in_po = msgids(po)
            except subprocess.CalledProcessError as e:
                print('Bail out! %s: %s' % (' '.join(e.cmd), e.stderr.strip()))
                return 1
            details = ''.join('in the sources, not in %s.po: %s\n' % (lang, describe(k))
                              for k in sorted(in_sources - in_po, key=repr))
            details += ''.join('in %s.po, no longer in the sources: %s\n' % (lang, describe(k))
                               for k in sorted(in_po - in_sources, key=repr))
            if details:
                details += 'run `meson compile -C BUILDDIR simbudget-update-po`, then translate\n'
            tap.result(not details, '%s.po has the msgids of the sources' % lang, details)

        # 5. POTFILES.in names every file that marks strings.
        listed = set(potfiles(root))
        unlisted = [p for p in marking_sources(root) if p not in listed]
        absent = [p for p in sorted(listed) if not os.path.exists(os.path.join(root, p))]
        details = ''.join('marks strings, not in POTFILES.in: %s\n' % p for p in unlisted)
        details += ''.join('in POTFILES.in, does not exist: %s\n' % p for p in absent)
        tap.result(not unlisted and not absent,
                   'POTFILES.in lists every file with translatable strings', details)

    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())

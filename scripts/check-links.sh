#!/usr/bin/env bash
# Checks every relative link in README.md and docs/**/*.md: the file or folder it names must exist, and a #anchor
# must name a heading of the target Markdown file (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens,
# -1, -2 for repeats). Links to http(s) and mailto are not checked; nor is anything inside code. Generated folders
# (docs/_site, docs/api, docs/obj) are skipped. Exits 1 listing every broken link as FILE:LINE: TARGET (why).
set -euo pipefail
cd "$(dirname "$0")/.."

exec /usr/bin/env python3 - "$@" <<'PY'
import os, re, sys, unicodedata

ROOT = os.getcwd()
SKIP = {os.path.join('docs', d) for d in ('_site', 'api', 'obj')}

def markdown_files():
    yield 'README.md'
    for folder, dirs, files in os.walk('docs'):
        dirs[:] = sorted(d for d in dirs if os.path.join(folder, d) not in SKIP)
        for f in sorted(files):
            if f.endswith('.md'):
                yield os.path.join(folder, f)

FENCE = re.compile(r'^\s*(```|~~~)')

def lines_outside_code(text):
    """(line number, line) for lines outside fenced code blocks, with inline code spans blanked."""
    fenced = False
    for number, line in enumerate(text.split('\n'), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r'(`+)(.+?)\1', lambda m: ' ' * len(m.group(0)), line)

def slug(heading):
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)      # a link's text only
    text = re.sub(r'<[^>]+>', '', text).replace('`', '').strip().lower()
    kept = []
    for ch in text:
        if ch in ' -_' or unicodedata.category(ch)[0] in 'LN':
            kept.append(ch)
    return ''.join(kept).replace(' ', '-')

anchor_cache = {}

def anchors(path):
    if path not in anchor_cache:
        seen, found = {}, set()
        with open(path, encoding='utf-8') as f:
            text = f.read()
        fenced = False
        for line in text.split('\n'):
            if FENCE.match(line):
                fenced = not fenced
                continue
            m = None if fenced else re.match(r'^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$', line)
            if m:
                base = slug(m.group(1))
                n = seen.get(base, 0)
                seen[base] = n + 1
                found.add(base if n == 0 else f'{base}-{n}')
        found.update(re.findall(r'<a\s+(?:name|id)="([^"]+)"', text))
        anchor_cache[path] = found
    return anchor_cache[path]

INLINE = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
REFERENCE = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$')

broken, checked = [], 0
for md in markdown_files():
    with open(md, encoding='utf-8') as f:
        text = f.read()
    for number, line in lines_outside_code(text):
        targets = [m.group(1) for m in INLINE.finditer(line)]
        m = REFERENCE.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', target):       # http:, https:, mailto:, ...
                continue
            checked += 1
            path, _, anchor = target.partition('#')
            resolved = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            where = f'{md}:{number}: {target}'
            if path.startswith('/'):
                broken.append(f'{where} (absolute path; use a path relative to {md})')
            elif not os.path.exists(resolved):
                broken.append(f'{where} ({resolved} does not exist)')
            elif os.path.relpath(os.path.abspath(resolved), ROOT).startswith('..'):
                broken.append(f'{where} ({resolved} is outside the repository)')
            elif anchor and resolved.endswith('.md') and os.path.isfile(resolved) and anchor not in anchors(resolved):
                broken.append(f'{where} (no heading "#{anchor}" in {resolved})')

if broken:
    print(f'check-links: {len(broken)} broken link(s) of {checked} checked:', file=sys.stderr)
    for b in broken:
        print('  ' + b, file=sys.stderr)
    sys.exit(1)
print(f'check-links: all {checked} relative links in README.md and docs/ resolve')
PY

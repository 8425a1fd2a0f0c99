#!/usr/bin/env python3
"""Leave-one-out estimate of how the rules do on bounces they were not written from.

Usage: leave_one_out.py [BUILD_DIR]   (default: build; the corpus is ../shared/corpus/bounces)

For each labelled corpus file, every rule phrase (a `contains` string or a `pattern`) that
matches that file and no other labelled file is dropped (the rule is overridden through
--rules with the phrase removed), the file is read again, and its recipients are compared
with labels.tsv. A recipient right with all rules and wrong without its file's own phrases
is printed (LOO-LOST, with the phrases): either the phrase is the MTA's or provider's fixed
wording (kept: other mail of that software says it too) or a rule fitted to one sample
(to be replaced by the general rule). The last line gives both figures. A pessimistic
figure: template sentences of a format met once in the corpus count as lost. Not run by
ctest (about 80 s)."""
import tomllib, glob, re, os, sys, json, subprocess, collections
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'build')
binp = os.path.join(build, 'cli', 'smtpprobe')
cdir = os.path.join(root, '..', 'shared', 'corpus', 'bounces')
if not os.path.isdir(cdir):
    cdir = '/work/shared/corpus/bounces'
work = __import__('tempfile').mkdtemp(prefix='loo.')
corp = {}
for p in glob.glob(cdir + '/*.eml'):
    t = open(p,'rb').read().decode('utf-8','replace').lower()
    t = re.sub(r'\r?\n[ \t]+', ' ', t); t = re.sub(r'\s+', ' ', t)
    corp[os.path.basename(p)] = t
rules = []
for f in sorted(glob.glob(os.path.join(root, 'monitor/classify/rules/*.toml'))):
    for r in tomllib.load(open(f,'rb')).get('rule', []):
        r.setdefault('priority', 500); rules.append(r)
single = collections.defaultdict(list)  # file -> [(rule idx, kind, phrase)]
for i, r in enumerate(rules):
    for kind in ('contains', 'pattern'):
        for s in r.get(kind, []) or []:
            if kind == 'contains':
                n = re.sub(r'\s+', ' ', s.lower()); hits = [k for k, t in corp.items() if n in t]
            else:
                try: rx = re.compile(s, re.I)
                except Exception: continue
                hits = [k for k, t in corp.items() if rx.search(t)]
            if len(hits) == 1:
                single[hits[0]].append((i, kind, s))
labels = collections.defaultdict(list)
for n, line in enumerate(open(cdir + '/labels.tsv')):
    if n == 0: continue
    p = line.rstrip('\n').split('\t')
    labels[p[0]].append(p[2:5])
def run(path, rulefile=None):
    cmd = [binp] + (['--rules', rulefile] if rulefile else []) + ['ingest', 'bounce', '--dry-run', '--json', path]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        d = json.loads(line)
        if d.get('summary'): continue
        rows.append([d['status'], '' if d['reply_code'] is None else str(d['reply_code']), d['reason']])
    return rows
tot = s = r = s0 = r0 = 0
for name, want in sorted(labels.items()):
    base = run(cdir + '/' + name)
    drops = single.get(name, [])
    got = base
    if drops:
        mod = {}
        for i, kind, phrase in drops:
            rr = mod.setdefault(i, json.loads(json.dumps(rules[i])))
            rr[kind] = [x for x in rr[kind] if x != phrase]
        out = []
        for i, rr in mod.items():
            if not rr.get('contains') and not rr.get('pattern'):
                rr['contains'] = ['zzqqxx never matches']
            out.append(rr)
        rf = os.path.join(work, name + '.json')
        json.dump({'rule': out}, open(rf, 'w'))
        got = run(cdir + '/' + name, rf)
    for k, w in enumerate(want):
        h = got[k] if k < len(got) else ['', '', '']
        b = base[k] if k < len(base) else ['', '', '']
        tot += 1; s += h[0] == w[0]; r += h[2] == w[2]; s0 += b[0] == w[0]; r0 += b[2] == w[2]
        if (h[2] != w[2] or h[0] != w[0]) and (b[2] == w[2] and b[0] == w[0]):
            print('LOO-LOST', name, k + 1, 'want', w, 'loo', h, 'dropped:', [(rules[i]['id'], ph) for i, _, ph in drops])
print(f'{tot} recipients: full status {100*s0/tot:.1f}% reason {100*r0/tot:.1f}%; leave-one-out status {100*s/tot:.1f}% reason {100*r/tot:.1f}%')
__import__('shutil').rmtree(work)

import json,sys
E=json.load(open('expected.json',encoding='utf-8'))
out=[json.loads(l) for l in open(sys.argv[1] if len(sys.argv)>1 else 'out_cases.jsonl',encoding='utf-8')]
docs={'A':'eab2','B':'5d67','C':'7aeb','D':'f8d3'}
used=set(); tot={}
def inc(k,v):
    a=tot.setdefault(k,[0,0]); a[0]+=v; a[1]+=1
def unit_ok(eu,ou):
    ou=ou or ''
    return any(u and (u in ou or ou in u) for u in eu.split('/')) if ou else False
for e in E['cases']:
    cand=[c for c in out if c['case_id'].startswith(docs[e['id'][0]])]
    m=[c for c in cand if e['title_kw'] in c['title']]
    tw=False
    if not m:
        m=[c for c in cand if (c['region'] or {}).get('county')==e['county'] and e['county'] and e['problem_kw'] in (c.get('text') or '')]
        tw=bool(m)
    if not m:
        print(f"{e['id']} MISSED ({e['title_kw']})"); inc('found',0)
        for k in ['kind','province','city','industry','problem','measures','page/section']: inc(k,0)
        for o in e['outcomes']: inc('outcome',0)
        continue
    c=m[0]; used.add(c['case_id']); inc('found',1); inc('title',0 if tw else 1)
    r=c['region'] or {}
    res={'kind':c['kind']==e['kind'],'province':r.get('province')==e['province'],'city':r.get('city')==e['city'],
         'industry':any(lbl.split()[0] in e['industry'].split('|') for lbl in c.get('industry_labels') or []) ,
         'problem':e['problem_kw'] in (c.get('problem') or ''),'measures':e['measure_kw'] in (c.get('measures') or '') and (e['problem_kw'] not in (c.get('measures') or '') or e['id']=='D1')}
    if e['page'] is not None: res['page/section']=c['page']==e['page'] and e['section_kw'] in c['section']
    elif e['section_kw']:
        import re; sk=re.sub(r'^(（[一二三四五]）|\d+\. |第[一二三]，)','',e['section_kw']); res['page/section']=any(p.startswith(sk[:8]) for p in c['section'].split(' > '))
    else: res['page/section']=None
    for k,v in res.items():
        if v is not None: inc(k,int(v))
    bad=[k for k,v in res.items() if v is False]
    print(f"{e['id']} found{' (TITLE WRONG: '+c['title']+')' if tw else ''} {c['case_id']} wrong={bad} ind={c.get('industry_labels')} kind={c['kind']}")
    outs=c['outcomes']
    for o in e['outcomes']:
        ok=False; note='missing'
        for x in outs:
            if 'before' in o and o.get('before') is not None:
                if x['before']==o['before'] and x['after']==o['after']:
                    ok=unit_ok(o['unit'],x['unit']); note='ok' if ok else 'unit '+str(x['unit']); break
                if x['after']==o['after'] and x['before'] is None:
                    note='before missing'
                    if any(y['change']==100.0 for y in outs) and '翻' in o['unit']: ok=True; note='ok(+100%% & after)'; break
            else:
                ch=o['change']
                if x['change'] is not None and abs(x['change']-ch)<1e-6:
                    ok=unit_ok(o['unit'],x['unit']); note='ok' if ok else 'unit '+str(x['unit']); break
                if x['after'] is not None and abs(x['after']-abs(ch))<1e-6 and x['before'] is None and x['change'] is None:
                    note='direction lost (after=%s, change=None)'%x['after']; ok = ch>0 and unit_ok(o['unit'],x['unit'])
                    if ok: note='ok(after-only)'
                    break
        inc('outcome',int(ok))
        if not ok: print('    outcome',o,'->',note)
    for x in outs:
        for n in e['not_outcomes']:
            v=n.rstrip('%亿万')
            try: fv=float(v)
            except: continue
            if fv in (x['before'],x['after'],x['change']): print('    FACT AS OUTCOME',n,x['metric']); inc('fact_as_outcome',1)
spur=[c for c in out if c['case_id'] not in used]
print('SPURIOUS:',[(c['case_id'],c['title']) for c in spur])
print()
for k,(a,b) in tot.items(): print(f"{k:15s} {a}/{b}")

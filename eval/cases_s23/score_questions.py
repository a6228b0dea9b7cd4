import json
Q=json.load(open('questions.json',encoding='utf-8'))
E={e['id']:e for e in json.load(open('expected.json',encoding='utf-8'))['cases']}
S=[json.loads(l) for l in open('out_search.jsonl',encoding='utf-8')]
sr=[];cr=[];ans=[]
for i,(q,s) in enumerate(zip(Q,S)):
    rank=None
    for r in s['results']:
        if any(k in r['text'] or k in r['section'] for k in q['keys']): rank=r['rank']; break
    a=s.get('answer') or {}; sents=a.get('sentences') or []
    aok=bool(sents) and any(k in sents[0]['text'] or k in sents[0]['section'] for k in q['keys'])
    cases=[json.loads(l) for l in open(f'out_cp_{i:02d}.jsonl',encoding='utf-8')]
    e=E[q['case']]; crank=None
    for j,c in enumerate(cases,1):
        if e['title_kw'] in c['title'] or (q['case']=='D5' and c['case_id'].endswith('c005') and c['case_id'].startswith('f8d3')): crank=j; break
    g=[c['title'][:14] for c in (s.get('guidance') or {}).get('cases',[])][:2]
    sr.append(rank); cr.append(crank); ans.append(aok)
    top=s['results'][0]['section'][:30] if s['results'] else '-'
    print(f"{i+1:2d} {q['case']} search_rank={rank} answer1_ok={aok} cases_rank={crank} ncases={len(cases)} top1_section={top} | top_case={cases[0]['title'][:20] if cases else '-'}")
def hit(rs,k): return sum(1 for r in rs if r and r<=k)
mrr=lambda rs: sum(1/r for r in rs if r and r<=10)/len(rs)
print('search hit@1',hit(sr,1),'hit@3',hit(sr,3),'hit@10',hit(sr,10),'MRR@10 %.3f'%mrr(sr),'/20; direct answer ok',sum(ans))
print('cases  hit@1',hit(cr,1),'hit@3',hit(cr,3),'hit@10',hit(cr,10),'MRR@10 %.3f'%mrr(cr),'/20')

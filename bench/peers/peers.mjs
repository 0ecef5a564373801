// peers — the GAPS-equivalent query (covered cells of the group's usual
// needs) and REACH within 3 hops in DuckDB and
// Kuzu, on the CSV files and queries bench/scale.py writes, timed like
// bench/scale_bench.c times tsunagi: median and p95 over repeated runs.
//
// usage: node peers.mjs CSV_DIR QUERIES RUNS BUDGET_S WORK_DIR
// prints one JSON object: per engine, the load time, the timings, and per
// query (by its line) the number it found (reached nodes; covered school district × need
// cells), for scale.py to check against SQLite's.
import { DuckDBInstance } from '@duckdb/node-api';
import kuzu from 'kuzu';
import fs from 'node:fs';
import path from 'node:path';

const [csv, queriesFile, runsArg, budgetArg, work] = process.argv.slice(2);
const runs = Number(runsArg), budget = Number(budgetArg);
const queries = fs.readFileSync(queriesFile, 'utf8').split('\n').filter(Boolean).map((l, line) => {
  const [kind, nid, target] = l.split(' ');
  return { kind, nid: Number(nid), target, line };
});
const file = (name) => path.join(csv, name);
// The needs GAPS checks for each group (default_need): the peers count the
// covered cells of those needs only, as SQLite's peer and tsunagi do.
const groupNeeds = new Map();
for (const l of fs.readFileSync(file('default_need.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean)) {
  const [target, need] = l.split(',');
  if (!groupNeeds.has(target)) groupNeeds.set(target, []);
  groupNeeds.get(target).push(need);
}
const now = () => Number(process.hrtime.bigint()) / 1e9;

function stats(t) {
  const s = [...t].sort((a, b) => a - b);
  return { n: s.length, median_ms: s[Math.floor(s.length / 2)] * 1e3, p95_ms: s[Math.max(0, Math.ceil(s.length * 0.95) - 1)] * 1e3 };
}

// Runs every query of a kind `runs` times (the first run gives the answer),
// within the budget; returns timings and answers.
async function timeQueries(kind, run) {
  const times = [], answers = {};
  const until = now() + budget;
  for (let r = 0; r < runs; r++)
    for (const q of queries) {
      if (q.kind !== kind || now() > until) continue;
      const t0 = now();
      const answer = await run(q);
      times.push(now() - t0);
      if (r === 0) answers[q.line] = answer;
    }
  return { ...stats(times), answers };
}

async function duck() {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const t0 = now();
  for (const t of ['district', 'program', 'program_target', 'program_need', 'program_area', 'steps', 'runs', 'needs', 'default_need'])
    await c.run(`CREATE TABLE ${t} AS SELECT * FROM read_csv('${file(t + '.csv')}', header = true, nullstr = '')`);
  const load = now() - t0;
  const gaps = await c.prepare(`
    WITH RECURSIVE down(d) AS (SELECT $1::BIGINT UNION ALL SELECT x.nid FROM district x JOIN down ON x.parent = down.d),
    cells(s) AS (SELECT d FROM down JOIN district x ON x.nid = down.d WHERE x.level = 'school_district'),
    up(s, d) AS (SELECT s, s FROM cells UNION ALL SELECT up.s, x.parent FROM up JOIN district x ON x.nid = up.d WHERE x.parent IS NOT NULL),
    cand(s, program) AS (SELECT up.s, a.program FROM up JOIN program_area a ON a.district = up.d
      UNION SELECT c.s, p.nid FROM cells c JOIN program p ON p.wide_area = 1),
    fit(s, program) AS (SELECT c.s, c.program FROM cand c JOIN program p ON p.nid = c.program
      WHERE (p.age_min IS NULL OR p.age_min <= 39) AND (p.age_max IS NULL OR p.age_max >= 18)
      AND EXISTS (SELECT 1 FROM program_target t WHERE t.program = p.nid AND t.target IN ($2, 'everyone')))
    SELECT count(*) FROM (SELECT DISTINCT f.s, k.need FROM fit f JOIN program_need k ON k.program = f.program
      JOIN default_need g ON g.need = k.need AND g.target = $2)`);
  const reach = await c.prepare(`
    WITH RECURSIVE start(n) AS (SELECT $1::BIGINT UNION SELECT program FROM runs WHERE org = $1),
    r(n, h) AS (SELECT n, 0 FROM start UNION SELECT s.b, r.h + 1 FROM r JOIN steps s ON s.a = r.n WHERE r.h < 3)
    SELECT count(DISTINCT n) FROM r WHERE n NOT IN (SELECT n FROM start)`);
  const one = async (ps, ...args) => {
    args.forEach((a, i) => (typeof a === 'number' ? ps.bindBigInt(i + 1, BigInt(a)) : ps.bindVarchar(i + 1, a)));
    const rows = (await ps.runAndReadAll()).getRows();
    return Number(rows[0][0]);
  };
  return {
    load_s: load,
    gaps: await timeQueries('gaps', (q) => one(gaps, q.nid, q.target)),
    reach: await timeQueries('reach', (q) => one(reach, q.nid)),
  };
}

async function kz() {
  const dir = path.join(work, 'kuzu');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(dir + '.wal', { force: true });
  const db = new kuzu.Database(dir);
  const c = new kuzu.Connection(db);
  const run = async (s) => (await c.query(s)).getAll();
  const t0 = now();
  await run('CREATE NODE TABLE N(nid INT64, PRIMARY KEY(nid))');
  await run('CREATE REL TABLE Step(FROM N TO N)');
  await run('CREATE REL TABLE Runs(FROM N TO N)');
  await run('CREATE NODE TABLE D(nid INT64, level STRING, PRIMARY KEY(nid))');
  await run('CREATE REL TABLE Parent(FROM D TO D)');
  await run('CREATE NODE TABLE P(nid INT64, age_min INT64, age_max INT64, wide INT64, targets STRING[], needs STRING[], PRIMARY KEY(nid))');
  await run('CREATE REL TABLE Area(FROM P TO D)');
  await run(`COPY N FROM '${file('nodes.csv')}' (header = true)`);
  await run(`COPY Step FROM '${file('steps.csv')}' (header = true)`);
  await run(`COPY Runs FROM '${file('runs.csv')}' (header = true)`);
  await run(`COPY D FROM '${file('kuzu_district.csv')}' (header = true)`);
  await run(`COPY Parent FROM '${file('kuzu_parent.csv')}' (header = true)`);
  await run(`COPY P FROM '${file('kuzu_program.csv')}' (header = true)`);
  await run(`COPY Area FROM '${file('program_area.csv')}' (header = true)`);
  const load = now() - t0;
  c.setQueryTimeout(budget * 1000); // a query past the budget fails rather than hangs
  // Covered cells: programs whose area lists a district above the school
  // district, and (Kuzu has no index to find them) wide-area programs.
  const fits = `(list_contains(p.targets, $t) OR list_contains(p.targets, 'everyone'))
      AND (p.age_min IS NULL OR p.age_min <= 39) AND (p.age_max IS NULL OR p.age_max >= 18)`;
  const cells = "MATCH (w:D {nid: $w})<-[:Parent*0..4]-(s:D) WHERE s.level = 'school_district'";
  const gaps = await c.prepare(`
    ${cells} MATCH (s)-[:Parent*0..4]->(:D)<-[:Area]-(p:P) WHERE ${fits}
    UNWIND p.needs AS need RETURN DISTINCT s.nid AS cell, need
    UNION
    ${cells} MATCH (p:P) WHERE p.wide = 1 AND ${fits}
    UNWIND p.needs AS need RETURN DISTINCT s.nid AS cell, need`);
  const covered = async (params) => {
    const needs = new Set(groupNeeds.get(params.t) || []);
    return (await (await c.execute(gaps, params)).getAll()).filter((r) => needs.has(r.need)).length;
  };
  // The organisation's programs first: a start list bound as a parameter
  // lets Kuzu seed one breadth-first search (matching them inside the
  // pattern runs the search from every node, seconds per query).
  const programs = await c.prepare('MATCH (o:N {nid: $org})-[:Runs]->(p:N) RETURN p.nid AS n');
  const reach = await c.prepare(`
    MATCH (a:N)-[:Step* SHORTEST 1..3]->(b:N) WHERE a.nid IN $s AND NOT b.nid IN $s
    RETURN count(DISTINCT b.nid) AS n`);
  const one = async (ps, params) => {
    const rows = await (await c.execute(ps, params)).getAll();
    return rows.length ? Number(rows[0].n) : 0;
  };
  const reachFrom = async (org) => {
    const s = (await (await c.execute(programs, { org })).getAll()).map((r) => Number(r.n));
    s.push(org);
    return one(reach, { s });
  };
  const out = {
    load_s: load,
    gaps: await timeQueries('gaps', (q) => covered({ w: q.nid, t: q.target })),
    reach: await timeQueries('reach', (q) => reachFrom(q.nid)),
  };
  await c.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const result = {};
for (const [name, fn] of [['duckdb', duck], ['kuzu', kz]]) {
  try {
    result[name] = await fn();
  } catch (e) {
    result[name] = { error: String(e.message || e) };
  }
}
console.log(JSON.stringify(result));

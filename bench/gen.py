#!/usr/bin/env python3
"""gen — a synthetic network of M municipalities, deterministic for a seed,
drawn from the sample city's distributions, written into a tsunagi database.

Each municipality gets wards and school districts (a prefecture holds up to
40 municipalities), organisations whose sectors follow the sample city's
mix, three programs each on average (the national ratio), copied in kind from the sample's (targets, ages, needs, modes,
approach, hours; a wide-area sample program becomes municipality-wide, a
ward's program serves a ward), forums with memberships, and ties whose
kinds, annual counts and program-or-organisation ends follow the sample's.
Ends are chosen with a heavy tail (a few hubs, as a 社協 or a ward office
is), almost always inside the municipality; one tie in fifty crosses to a
neighbouring municipality. Municipalities sit on a square grid in the order
they are made (a prefecture is 40 consecutive ones); the neighbours of one
are the already-made municipalities next to it on the grid (left, and the
three above), so the country is a mesh, not a chain, and its long routes
run across the grid as they would across a map.

Per municipality the defaults give about 287 organisations, 860 programs
and 2,870 ties, so 1,741 municipalities (the national network) come to
about 500k organisations, 1.5M programs and 5M ties.

The folder of CSV files is written to a temporary directory and imported
with `tsunagi import` (one transaction), so the database is exactly what a
planner's import of the same files would make.

usage: gen.py TSUNAGI SAMPLE_DIR OUT.db MUNICIPALITIES [--seed N] [--orgs N] [--programs-per-org P]
              [--ties-per-org K] [--keep DIR]
"""
import argparse
import csv
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile


def read(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def writer(folder, name, header):
    f = open(os.path.join(folder, name), "w", encoding="utf-8", newline="")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    return f, w


class Hubs:
    """Picks from a growing list with a heavy tail: the first few are hubs."""

    def __init__(self, rng, items):
        self.rng, self.items = rng, items

    def pick(self):
        n = len(self.items)
        # Pareto-like: index = n * u^3 favours the front of the list.
        return self.items[min(n - 1, int(n * self.rng.random() ** 3))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tsunagi")
    ap.add_argument("sample")
    ap.add_argument("out")
    ap.add_argument("municipalities", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--orgs", type=int, default=287, help="organisations per municipality")
    ap.add_argument("--programs-per-org", type=float, default=3.0, help="the national 1.5M / 500k")
    ap.add_argument("--ties-per-org", type=float, default=10.0, help="memberships included; the national 5M / 500k")
    ap.add_argument("--keep", help="also keep the CSV folder here")
    a = ap.parse_args()
    rng = random.Random(a.seed)

    s_orgs = read(a.sample, "organisations.csv")
    s_progs = read(a.sample, "programs.csv")
    s_forums = read(a.sample, "forums.csv")
    s_ties = read(a.sample, "ties.csv")
    sectors = [o["sector"] for o in s_orgs]
    s_org_ids = {o["id"] for o in s_orgs}
    progs_per_org = a.programs_per_org
    plain_ties = [t for t in s_ties if t["kind"] != "membership"]
    members_per_org = (len(s_ties) - len(plain_ties)) / len(s_orgs)
    forum_kinds = [f["kind"] for f in s_forums]
    # A tie end is a program or an organisation in the sample's proportions.
    end_is_prog = [t[k] not in s_org_ids for t in plain_ties for k in ("from_id", "to_id")]

    work = tempfile.mkdtemp(prefix="tsunagi-gen-")
    try:
        files = {}
        files["d"] = writer(work, "districts.csv", ["id", "name", "level", "parent_id"])
        files["o"] = writer(work, "organisations.csv", ["id", "name", "sector", "district_id"])
        files["p"] = writer(work, "programs.csv", ["id", "name", "org_id", "targets", "age_min", "age_max", "needs",
                                                   "modes", "approach", "area", "in_system", "hours"])
        files["f"] = writer(work, "forums.csv", ["id", "name", "kind", "district_id"])
        files["t"] = writer(work, "ties.csv", ["from_id", "to_id", "kind", "count", "since"])
        d, o, p, f, t = (files[k][1] for k in "dopft")
        counts = dict(orgs=0, programs=0, ties=0)
        width = max(1, math.isqrt(a.municipalities - 1) + 1)  # the grid's side
        orgs_of = []  # organisations by municipality, for ties from later neighbours
        for m in range(a.municipalities):
            if m % 40 == 0:
                pref = f"d-pref{m // 40}"
                d.writerow([pref, f"県{m // 40}", "prefecture", ""])
            muni = f"d-m{m}"
            d.writerow([muni, f"市{m}", "municipality", pref])
            places = [muni]
            wards = []
            for w in range(rng.randint(1, 5)):
                ward = f"{muni}-w{w}"
                wards.append(ward)
                d.writerow([ward, f"市{m}区{w}", "ward", muni])
                places.append(ward)
                for e in range(rng.randint(3, 4)):
                    sd = f"{ward}-s{e}"
                    d.writerow([sd, f"市{m}区{w}小学校区{e}", "school_district", ward])
                    places.append(sd)
            orgs, progs = [], []
            for i in range(a.orgs):
                oid = f"o-{m}-{i}"
                o.writerow([oid, f"団体{m}-{i}", rng.choice(sectors), rng.choice(places)])
                orgs.append(oid)
                k = int(progs_per_org) + (rng.random() < progs_per_org % 1)
                for j in range(k):
                    sp = rng.choice(s_progs)
                    area = muni if sp["area"].strip() == "*" else rng.choice(wards)
                    pid = f"p-{m}-{i}-{j}"
                    p.writerow([pid, f"事業{m}-{i}-{j}", oid, sp["targets"], sp["age_min"], sp["age_max"],
                                sp["needs"], sp["modes"], sp["approach"], area, sp["in_system"], sp["hours"]])
                    progs.append(pid)
            counts["orgs"] += len(orgs)
            counts["programs"] += len(progs)
            forums = []
            for k in range(max(1, round(len(s_forums) * a.orgs / len(s_orgs)))):
                fid = f"f-{m}-{k}"
                f.writerow([fid, f"会議{m}-{k}", rng.choice(forum_kinds), muni])
                forums.append(fid)
            org_hubs, prog_hubs = Hubs(rng, orgs), Hubs(rng, progs or orgs)
            row, col = divmod(m, width)
            near = [orgs_of[(row + dr) * width + col + dc] for dr, dc in ((0, -1), (-1, -1), (-1, 0), (-1, 1))
                    if 0 <= col + dc < width and 0 <= (row + dr) * width + col + dc < m and row + dr >= 0]
            seen = set()

            def end():
                return prog_hubs.pick() if rng.choice(end_is_prog) else org_hubs.pick()

            for _ in range(int((a.ties_per_org - members_per_org) * a.orgs)):
                st = rng.choice(plain_ties)
                x = end()
                far = near and rng.random() < 0.02
                y = rng.choice(rng.choice(near)) if far else end()
                key = (x, y, st["kind"]) if st["kind"] == "referral" else (min(x, y), max(x, y), st["kind"])
                if x == y or key in seen:
                    continue
                seen.add(key)
                t.writerow([x, y, st["kind"], st["count"], st["since"]])
                counts["ties"] += 1
            for oid in orgs:
                for fid in rng.sample(forums, min(len(forums), int(members_per_org) +
                                                  (rng.random() < members_per_org % 1))):
                    t.writerow([oid, fid, "membership", "", ""])
                    counts["ties"] += 1
            orgs_of.append(orgs)
        for fh, _ in files.values():
            fh.close()
        if a.keep:
            shutil.copytree(work, a.keep, dirs_exist_ok=True)
        if os.path.exists(a.out):
            os.remove(a.out)
        r = subprocess.run([a.tsunagi, "import", work, a.out], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            return 1
        print(f"{a.out}: {a.municipalities} municipalities, {counts['orgs']} organisations, "
              f"{counts['programs']} programs, {counts['ties']} ties (seed {a.seed})")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

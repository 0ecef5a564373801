-- What REACH FROM :org WITHIN 3 HOPS VIA any reaches, counted, level by level:
-- the organisation and its programs, then open ties other than memberships
-- (directed ones forwards only), each node expanded once, at its first
-- depth. Three levels written out: a recursive CTE (over (node, hop) with
-- UNION, or over one row per level carrying the frontier as JSON) gives the
-- same answer but was slower in SQLite 3.40 (docs/performance.md).
WITH
 start(n) AS (SELECT :org UNION SELECT nid FROM program WHERE org = :org),
 l1(n) AS (
  SELECT t.dst FROM start f JOIN tie t ON t.src = f.n WHERE t.until IS NULL AND t.kind <> 'membership'
  UNION SELECT t.src FROM start f JOIN tie t ON t.dst = f.n
   WHERE t.until IS NULL AND t.directed = 0 AND t.kind <> 'membership'
  EXCEPT SELECT n FROM start),
 l2(n) AS (
  SELECT t.dst FROM l1 f JOIN tie t ON t.src = f.n WHERE t.until IS NULL AND t.kind <> 'membership'
  UNION SELECT t.src FROM l1 f JOIN tie t ON t.dst = f.n
   WHERE t.until IS NULL AND t.directed = 0 AND t.kind <> 'membership'
  EXCEPT SELECT n FROM start EXCEPT SELECT n FROM l1),
 l3(n) AS (
  SELECT t.dst FROM l2 f JOIN tie t ON t.src = f.n WHERE t.until IS NULL AND t.kind <> 'membership'
  UNION SELECT t.src FROM l2 f JOIN tie t ON t.dst = f.n
   WHERE t.until IS NULL AND t.directed = 0 AND t.kind <> 'membership'
  EXCEPT SELECT n FROM start EXCEPT SELECT n FROM l1 EXCEPT SELECT n FROM l2)
SELECT (SELECT count(*) FROM l1) + (SELECT count(*) FROM l2) + (SELECT count(*) FROM l3) AS reached;

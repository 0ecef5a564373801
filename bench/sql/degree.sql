-- CENTRALITY degree TOP :top as SQL: the organisations' graph (a program's
-- tie counts for its organisation; memberships and ties to forums left
-- out), each pair of organisations once, ranked by the partners each has.
WITH
 ends(a, b) AS (
   SELECT coalesce(ps.org, t.src), coalesce(pd.org, t.dst) FROM tie t
     LEFT JOIN program ps ON ps.nid = t.src LEFT JOIN program pd ON pd.nid = t.dst
   WHERE t.until IS NULL AND t.kind <> 'membership'),
 pairs(a, b) AS (
   SELECT DISTINCT min(a, b), max(a, b) FROM ends
   WHERE a <> b AND a IN (SELECT nid FROM organisation) AND b IN (SELECT nid FROM organisation)),
 degree(org, partners) AS (
   SELECT org, count(*) FROM (SELECT a AS org FROM pairs UNION ALL SELECT b FROM pairs) GROUP BY org)
SELECT n.id, d.partners AS degree FROM degree d JOIN node n ON n.nid = d.org
ORDER BY d.partners DESC, n.id LIMIT :top;

-- The coverage part of GAPS FOR :target AGED :age_from..:age_to IN :ward
-- [NEEDS …], as an analyst writes it for sqlite3: each school district under
-- the ward × each need asked (:needs, a JSON array; NULL: the group's usual
-- needs, default_need), with the number of programs covering it: programs
-- that name the group or everyone, serve some age in the range, provide the
-- need, and list the school district or a district above it in their area
-- (or are wide-area). The programs are looked up once per district above
-- the cells, not once per cell, then counted in one GROUP BY.
WITH RECURSIVE
 down(d) AS (SELECT :ward UNION ALL SELECT x.nid FROM district x JOIN down ON x.parent = down.d),
 cells(s) AS (SELECT d FROM down JOIN district x ON x.nid = down.d WHERE x.level = 'school_district'),
 up(s, d) AS (SELECT s, s FROM cells
   UNION ALL SELECT up.s, x.parent FROM up JOIN district x ON x.nid = up.d WHERE x.parent IS NOT NULL),
 needs(need) AS (SELECT value FROM json_each(:needs)
   UNION ALL SELECT need FROM default_need WHERE target = :target AND :needs IS NULL),
 above(d) AS (SELECT DISTINCT d FROM up),
 fits(d, program, need) AS (
   SELECT a.district, p.nid, k.need FROM above JOIN program_area a ON a.district = above.d
     JOIN program p ON p.nid = a.program JOIN program_need k ON k.program = p.nid AND k.need IN needs
   WHERE (p.age_min IS NULL OR p.age_min <= :age_to) AND (p.age_max IS NULL OR p.age_max >= :age_from)
     AND EXISTS (SELECT 1 FROM program_target t WHERE t.program = p.nid AND t.target IN (:target, 'everyone'))),
 wide(program, need) AS (
   SELECT p.nid, k.need FROM program p JOIN program_need k ON k.program = p.nid AND k.need IN needs
   WHERE p.wide_area = 1 AND (p.age_min IS NULL OR p.age_min <= :age_to) AND (p.age_max IS NULL OR p.age_max >= :age_from)
     AND EXISTS (SELECT 1 FROM program_target t WHERE t.program = p.nid AND t.target IN (:target, 'everyone'))),
 covered(s, need, programs) AS (
   SELECT s, need, count(DISTINCT program) FROM (
     SELECT up.s, f.need, f.program FROM fits f JOIN up ON up.d = f.d
     UNION ALL SELECT c.s, w.need, w.program FROM cells c CROSS JOIN wide w)
   GROUP BY s, need)
SELECT c.s AS school_district, n.need, coalesce(v.programs, 0) AS programs
FROM cells c CROSS JOIN needs n LEFT JOIN covered v ON v.s = c.s AND v.need = n.need
ORDER BY c.s, n.need;

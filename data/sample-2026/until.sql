-- A tie lost between two NPOs on 2026-04-01: NPO法人あさひの若者就労支援ネット and
-- NPO法人ミドル世代しごと応援団 stop working together. The row is ended, not
-- deleted (schema v3's tie.until, exclusive), so the first year still has it.
-- An SQL script until the language ends a tie at a date (issue 21, item 1:
-- UNTIE … ON, on branch h-hist); see docs/sample-city.md.
UPDATE tie SET until = '2026-04-01'
 WHERE src = (SELECT nid FROM node WHERE id = 'o-npo-sapo')
   AND dst = (SELECT nid FROM node WHERE id = 'o-npo-hyoga')
   AND kind = 'co_support' AND until IS NULL;

/*
 * hsds — Open Referral's Human Services Data Specification, in and out.
 *
 * Import (hsds_import.c; hsds_import.h says which file does what) reads
 * three layouts of a directory:
 *   - HSDS 3.0 tabular packages (datapackage.json and the CSVs beside it);
 *   - HSDS 1.x packages (the CSVs in data/, as Miami 211 ships them);
 *   - Ohana API CSV (Baltimore): services reach their organisation through
 *     locations, and categories are in two JSON side files.
 * It translates them into tsunagi's own CSV folder in memory and hands that
 * to store_import, so every rule of docs/data-format.md applies and the
 * whole import is one transaction. Rows it cannot use are skipped, rows it
 * fixes are repaired, and each is listed in the report with the reason.
 *
 * Taxonomy codes become targets, needs and ages through a mapping file
 * (data/hsds/mapping.csv is compiled in; --mapping reads another):
 *   scheme,code,field,value,note
 * scheme is a taxonomy (airs, oe, or any other name, matched against the
 * taxonomy's name), or `name` (a word or phrase in an organisation's name
 * gives its sector), `default` (what a program or organisation gets when no
 * rule says), or `key` (a new vocabulary key: code is the key, field the
 * kind, value its Japanese label). See docs/data-format.md §8.
 */
#ifndef TSG_STORE_HSDS_H
#define TSG_STORE_HSDS_H

#include "interchange.h"

/* Where import-hsds puts a service whose place it cannot tell: a district
 * of its own at the top of the tree, so GAPS counts the service nowhere
 * (wide-area would count it everywhere), and export-hsds writes no
 * service area for it (HSDS's way of saying the place is not known). */
#define STORE_HSDS_UNKNOWN_PLACE "d:?"
#define STORE_HSDS_UNKNOWN_PLACE_NAME "所在地不明 (place unknown)"

extern const store_embedded_t store_hsds_files[]; /* mapping.csv; ends with a NULL name */

#endif

"""Reports of the hotline: indicators, scoring schemes, rankings, hotspots and bulletins.

Public entry points (all read-only on the ticket tables):

* `reports.schemes`: `load_scheme(name_or_path)`, `read_counts(csv, scheme)`, `score_units(scheme, rows)`,
  `counts_from_indicators(scheme, unit_indicators)`; schemes are YAML in reports/schemes/.
* `reports.indicators`: `unit_indicators(session, period=…)`, `unit_indicators_and_total(…)`,
  `overview(session, period=…)`, `RATES` (DOMAIN §6).
* `reports.rankings`: `rank_units(table, rules)`, `poor_tickets(session, period=…, policy=…, rules=…)`,
  `load_ranking_rules(path)` (reports/rankings.yaml).
* `reports.hotspots`: `find_hotspots(session, period=…, policy=…)` (民情专报 drafts via `Hotspot.draft()`),
  `find_repeats(session, as_of=…, policy=…)` (督办), `Similarity` protocol, `FuzzySimilarity`.
* `reports.bulletin.build_bulletin(sessions, kind=…, period=…)` + `reports.export.write_bulletin(b, out_dir)`.
* `reports.service`: `make_bulletin(…)`, `score_period(…)` open the database from Settings (CLI, jobs).
"""

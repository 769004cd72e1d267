-- The targets an admin has set, per element and source.
SELECT element, source_kind AS source, target_pct, set_by, set_on
FROM element_targets
ORDER BY element, source_kind

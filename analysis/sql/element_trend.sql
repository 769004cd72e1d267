-- Per period (month or quarter) and element: observations, shown, people behind them.
SELECT
    date_trunc($grain, observed_on)::DATE AS period_start,
    element,
    count(*) AS observation_count,
    count(*) FILTER (WHERE value = 1) AS shown_count,
    count(DISTINCT mentor_id) AS mentor_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM obs
GROUP BY period_start, element
ORDER BY period_start, element

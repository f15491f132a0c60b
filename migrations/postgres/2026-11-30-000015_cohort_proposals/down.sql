DROP TABLE cohort_proposals;

"""Classes and groups of a course run, the cohort/account import with activation links, withdrawals and moves."""

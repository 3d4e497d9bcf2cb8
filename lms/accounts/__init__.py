"""Accounts in bulk: the cohort list (CSV/XLSX) validated, previewed, applied at once; activation links."""

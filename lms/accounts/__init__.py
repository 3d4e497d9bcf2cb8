"""Accounts in bulk: the cohort list (CSV/XLSX) validated, previewed and applied in one transaction; activation links."""

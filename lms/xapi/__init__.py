"""The xAPI intake of H5P activities placed in module pages.

parse.py   pure checks of statements and request bodies (no database)
intake.py  services that write: statements, attempts, pass and completion, resume state, launches
grants.py  "may this user post to this placed activity?", asked of lms.access and remembered for a minute
views.py   the thin HTTP views; reports.py the instructors' per-activity report
"""

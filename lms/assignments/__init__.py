"""Assignments (tugas): a path step with submissions, rubric grading and a grading queue."""

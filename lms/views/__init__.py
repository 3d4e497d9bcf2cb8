"""Thin views by area: parse input, call one service or selector, render.

accounts (login, password reset), courses (the learner's path), cohorts (running a course: kelola), certificates,
reports (agency-wide), documents, admin (the admin's door), errors (403). New areas with models of their own
(lms.cohorts, lms.assignments, lms.notifications, lms.sso) keep their views in their own package.
"""

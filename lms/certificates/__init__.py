"""Certificates beyond the model (lms.models.certificates): the number format per programme (numbers), who signs
(selectors), the A4 PDF (pdf), and the services that store a certificate's PDF once and bundle a course's
certificates as one ZIP (services)."""

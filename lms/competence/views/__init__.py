"""Views of the competence record, one module per area (learning reported from outside, SIASN export, ...)."""

"""In-app and email notifications with per-kind preferences, sent through a queue."""

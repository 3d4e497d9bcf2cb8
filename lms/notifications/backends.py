"""The embedded default's task backend: each task runs on a background thread, so the response never waits on it.

Production sets SIGER_TASK_WORKER=1 instead (django_tasks_db's DatabaseBackend drained by `manage.py db_worker`).
"""

from __future__ import annotations

import threading

from django.db import connections
from django_tasks.backends.immediate import ImmediateBackend


class ThreadBackend(ImmediateBackend):
    """ImmediateBackend, but the task body runs on a daemon thread (nothing persisted: a restart loses the queue)."""

    def _execute_task(self, task_result) -> None:
        def run() -> None:
            try:
                ImmediateBackend._execute_task(self, task_result)
            finally:
                connections.close_all()  # this thread's connections only

        thread = threading.Thread(target=run, name="siger-task", daemon=True)
        thread.start()
        self.last_thread = thread  # lets tests wait for it

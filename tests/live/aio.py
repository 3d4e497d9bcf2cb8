"""Async tests on their own event loop.

After any browser test, Playwright's sync API keeps an event loop running in the main thread for the rest of the
session, and pytest-asyncio cannot start another one there. Each async test here runs with `asyncio.run` in a
worker thread instead, whatever ran before it.
"""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


def async_test(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, test(*args, **kwargs)).result()

    return run

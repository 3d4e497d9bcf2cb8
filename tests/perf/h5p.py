"""H5P import benchmark: `python -m tests.perf.h5p`.

Import (validation + library store + storage writes + rows) of each hub sample vs plain zipfile extraction of
the same file in the same run (target: at most 3x on the sum), time to reject a zip bomb built here (target:
under 1 s), and the library store's dedup (bytes stored vs library bytes the packages carry). Each timing is the
median of several rounds; every import round starts from an empty store.
"""

from __future__ import annotations

import io
import json
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from tests.perf._setup import django_setup_temp

ROUNDS = 3


def main() -> dict:
    vendor = django_setup_temp()
    from django.conf import settings

    from content.h5p import H5PValidationError, package_validate
    from content.models import H5PActivity, H5PLibrary
    from content.services import package_import
    from tests.h5p_fixtures import HUB, package_files

    if not HUB:
        raise SystemExit("no H5P samples found (set SIGER_H5P_SAMPLES)")
    media = Path(settings.MEDIA_ROOT)

    def empty_store() -> None:
        H5PActivity.objects.all().delete()
        H5PLibrary.objects.all().delete()
        shutil.rmtree(media, ignore_errors=True)

    import_rounds, unzip_rounds = [], []
    per_file: dict[str, list[float]] = {p.name: [] for p in HUB}
    for _round in range(ROUNDS):
        empty_store()
        total = 0.0
        for path in HUB:
            started = time.perf_counter()
            package_import(source=str(path))
            elapsed = time.perf_counter() - started
            per_file[path.name].append(elapsed)
            total += elapsed
        import_rounds.append(total)
        with tempfile.TemporaryDirectory() as target:
            started = time.perf_counter()
            for n, path in enumerate(HUB):
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(Path(target) / str(n))
            unzip_rounds.append(time.perf_counter() - started)

    for name, times in per_file.items():
        print(f"import {name:<28} median {statistics.median(times) * 1000:7.1f} ms")
    stored = sum(H5PLibrary.objects.values_list("bytes_stored", flat=True))
    carried = 0
    for path in HUB:
        with zipfile.ZipFile(path) as zf:
            carried += sum(
                i.file_size for i in zf.infolist() if "/" in i.filename and not i.filename.startswith("content/")
            )
    archives = sum(path.stat().st_size for path in HUB)

    # A zip bomb: a small package plus one member of 256 MiB of zeros (about 250 KB compressed).
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in package_files().items():
            zf.writestr(name, data)
        zf.writestr("content/bomb.txt", b"\0" * (256 * 1024 * 1024))
    print(f"zip bomb: {len(bomb.getvalue()):,} bytes compressed, 256 MiB declared")
    reject_times = []
    for _round in range(5):
        bomb.seek(0)
        started = time.perf_counter()
        try:
            package_validate(bomb)
        except H5PValidationError as error:
            reject_times.append(time.perf_counter() - started)
            reason = error.codes
        else:
            raise SystemExit("the zip bomb was accepted")
    print(f"zip bomb rejected ({', '.join(sorted(reason))})")

    import_s = statistics.median(import_rounds)
    unzip_s = statistics.median(unzip_rounds)
    print(f"import of {len(HUB)} packages: median {import_s:.3f} s; zipfile extraction: median {unzip_s:.3f} s")
    print(
        f"library store: {stored:,} bytes stored for {carried:,} library bytes carried by the packages "
        f"({stored / carried:.0%}); archives total {archives:,} bytes"
    )
    print(f"database: {vendor}")
    return {
        "import_s": round(import_s, 4),
        "unzip_s": round(unzip_s, 4),
        "ratio": round(import_s / unzip_s, 2),
        "zip_bomb_reject_s": round(statistics.median(reject_times), 4),
        "library_bytes_stored": stored,
        "package_bytes_total": carried,
    }


if __name__ == "__main__":
    print(json.dumps(main()))

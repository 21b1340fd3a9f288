"""The admin's static files: fingerprinted URLs, cached for a year, gzipped.

Every ``url_for("pages.static", filename=...)`` gains ``v=<first 12 hex of the file's
SHA-256>``. A request whose ``v`` is the file's current version is answered with
``Cache-Control: public, max-age=31536000, immutable``: the browser never asks again, and a
changed file has a new URL. Any other request (no ``v``, an old one) gets ``no-cache``, so a page
cached before a deploy still revalidates. Text files are gzipped for clients that accept it;
the compressed bytes are kept per file version, so a file is compressed once per process.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = {"text/javascript", "application/javascript", "text/css", "image/svg+xml"}
MIN_BYTES = 1024  # below a packet, gzip saves nothing worth a header


@functools.lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@functools.lru_cache(maxsize=256)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _file(folder: str, filename: str) -> Path | None:
    """The file ``filename`` names inside ``folder``, or None (outside it, or missing)."""
    base = Path(folder).resolve()
    path = (base / filename).resolve()
    if not path.is_file() or not path.is_relative_to(base):
        return None
    return path


def version(folder: str, filename: str) -> str | None:
    """The file's fingerprint, or None if there is no such file."""
    path = _file(folder, filename)
    return None if path is None else _digest(str(path), path.stat().st_mtime_ns)


def register(bp: Blueprint) -> None:
    """Fingerprint, cache and compress the static files of ``bp``."""
    folder = bp.static_folder
    assert folder is not None
    endpoint = f"{bp.name}.static"

    @bp.url_defaults
    def _fingerprint(name: str, values: dict[str, Any]) -> None:
        if name == endpoint and "filename" in values and "v" not in values:
            found = version(folder, values["filename"])
            if found:
                values["v"] = found

    @bp.after_request
    def _cache_and_compress(response: Response) -> Response:
        if request.endpoint != endpoint or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        path = _file(folder, filename)
        if path is None:
            return response
        stat = path.stat()
        current = _digest(str(path), stat.st_mtime_ns)
        if request.args.get("v") == current:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        response.vary.add("Accept-Encoding")
        if (
            response.mimetype in COMPRESSIBLE
            and "gzip" in request.headers.get("Accept-Encoding", "")
            and stat.st_size >= MIN_BYTES
        ):
            body = _gzipped(str(path), stat.st_mtime_ns)
            response.direct_passthrough = False
            response.set_data(body)
            response.headers["Content-Encoding"] = "gzip"
            response.set_etag(f"{current}-gzip")  # not the uncompressed file's tag
        return response

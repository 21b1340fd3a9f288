"""The baseline for the intake benchmark: a bare Flask app under the same gunicorn settings.

It reads the body and answers the same small JSON, and nothing else: no signature, no
database, no Redis. ``gunicorn bench.bare_app:app``.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/webhooks")
def webhooks():  # type: ignore[no-untyped-def]
    request.get_data(cache=False)
    return jsonify({"status": "accepted"}), 200


@app.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return jsonify({"status": "ok"})

"""Serve a bench-only ASGI app factory with the production server settings.

``helpdesk-bridge serve`` is what the hand-off benchmark starts; the floor app and the pre-filled
app for the scale benchmark are started through here so they run on exactly the same server
options (entrypoints/serving/process.py), one worker, 127.0.0.1 only.
"""

from __future__ import annotations

import argparse

import uvicorn

from entrypoints.config.settings import Settings
from entrypoints.serving.process import server_options


def main(target: str) -> None:
    parser = argparse.ArgumentParser(description=f"serve {target} for a benchmark")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    options = server_options(Settings(), "127.0.0.1", args.port, 1)
    uvicorn.run(target, factory=True, **options)

"""The one address the app serves beside Streamlit's: a live class's small file (beacon.py), which every
student's browser polls. Read from the runtime folder, never from the app's own (which may be read-only);
no Access-Control-Allow-Origin, so no other site's page can read it. Starlette only: no Streamlit here.
deploy/'s nginx serves the same files at the same address from disk.
"""
from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .store import _CODE

PATH = "/_gru_lab/live/{name}"  # beacon.URL, from the app's root
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MAX_BYTES = 4096  # a class file is ~50 bytes


def routes(directory: Path) -> list[Route]:
    """The route serving `directory`/<code>.json at PATH; anything else there is a plain 404."""
    async def live_file(request: Request) -> Response:
        name = request.path_params["name"]
        code = name.removesuffix(".json")
        if not (name.endswith(".json") and _CODE.fullmatch(code)):
            return Response("not a class file", 404, HEADERS, media_type="text/plain")
        try:
            with open(directory / name, "rb") as f:
                body = f.read(MAX_BYTES)
        except OSError:
            return Response("no such class file (the class may have ended)", 404, HEADERS, media_type="text/plain")
        return Response(body, 200, HEADERS, media_type="application/json")

    return [Route(PATH, live_file, methods=["GET", "HEAD"])]

"""A real HTTP server on loopback that speaks LibreTranslate's JSON contract.

``POST /translate`` with ``{"q", "source", "target", "format", "api_key"?}`` answers
``{"translatedText": "[es→en] <q>"}``: a "translation" a test can recognise, made by
a server the app reaches over TCP like a real LibreTranslate. It keeps every call it
got (``calls``), and can be told to misbehave:

- ``mode = "fail"``: 500 with ``{"error": …}``, as LibreTranslate answers a crash;
- ``mode = "refuse"``: 400 with ``{"error": …}`` (a language pair it does not know);
- ``mode = "garbage"``: 200 with a body that is not JSON;
- ``mode = "hang"``: it reads the request and answers nothing until the test ends
  (``release`` is set), so the client's timeout is what ends the wait;
- ``api_key``: when set, a call without that key gets 403, as a keyed server answers.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TranslatorServer:
    def __init__(self, api_key: str | None = None) -> None:
        self.calls: list[dict] = []
        self.mode = "ok"
        self.api_key = api_key
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != "/translate":
                    return self._answer(404, {"error": "Not Found"})
                try:
                    document = json.loads(raw)
                except ValueError:
                    return self._answer(400, {"error": "Invalid request: not JSON"})
                server.calls.append(document)
                if server.api_key and document.get("api_key") != server.api_key:
                    return self._answer(403, {"error": "Invalid API key"})
                if server.mode == "hang":
                    server.release.wait(30)
                    return self._answer(200, {"translatedText": "too late"})
                if server.mode == "fail":
                    return self._answer(500, {"error": "Cannot translate text: out of memory"})
                if server.mode == "refuse":
                    return self._answer(400, {"error": "xx is not supported"})
                if server.mode == "garbage":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<html>502 Bad Gateway</html>")
                    return None
                translated = f"[{document['source']}\u2192{document['target']}] {document['q']}"
                return self._answer(200, {"translatedText": translated})

            def _answer(self, status: int, document: dict):
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TranslatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

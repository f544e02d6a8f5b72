"""`lossykws data download` against an HTTP server on 127.0.0.1 serving an archive made here."""
import hashlib
import http.server
import io
import socket
import tarfile
import threading

import pytest

from lossykws.data import datasets, download
from lossykws.errors import LossykwsError

from wavgen import tone, wav_bytes


def make_archive():
    buf = io.BytesIO()
    clip = wav_bytes(tone(1.0))
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in ("./yes/0a7c2a8d_nohash_0.wav", "./no/0a7c2a8d_nohash_0.wav", "./no/3b8e0ce0_nohash_1.wav"):
            info = tarfile.TarInfo(name)
            info.size = len(clip)
            tar.addfile(info, io.BytesIO(clip))
        text = b"no/3b8e0ce0_nohash_1.wav\n"
        info = tarfile.TarInfo("./testing_list.txt")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return buf.getvalue()


class Server:
    """Serves one archive, honours Range requests, and can cut the first response short."""

    def __init__(self, body, cut_first_after=None):
        self.body, self.ranges, self.cut = body, [], cut_first_after
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                start = 0
                rng = self.headers.get("Range")
                outer.ranges.append(rng)
                if rng:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(outer.body):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(outer.body) - 1}/{len(outer.body)}")
                else:
                    self.send_response(200)
                payload = outer.body[start:]
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if outer.cut is not None:
                    payload, outer.cut = payload[:outer.cut], None
                self.wfile.write(payload)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/sc.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def archive():
    return make_archive()


def test_download_verify_unpack(archive, tmp_path):
    server = Server(archive)
    try:
        out = tmp_path / "sc"
        download.download_speech_commands(out, url=server.url, sha256=hashlib.sha256(archive).hexdigest())
    finally:
        server.close()
    corpus = datasets.scan([out], "words8")
    assert len(corpus.clips) == 3
    assert {c.split for c in corpus.clips if c.speaker == "3b8e0ce0"} == {"test"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sc"]   # no .part or temporary left


def test_an_interrupted_download_resumes(archive, tmp_path):
    server = Server(archive, cut_first_after=len(archive) // 3)
    out = tmp_path / "sc"
    digest = hashlib.sha256(archive).hexdigest()
    try:
        with pytest.raises(LossykwsError, match="resume"):
            download.download_speech_commands(out, url=server.url, sha256=digest)
        part = download.partial_path(out, server.url)
        assert part.stat().st_size == len(archive) // 3 and not out.exists()
        download.download_speech_commands(out, url=server.url, sha256=digest)
    finally:
        server.close()
    assert server.ranges == [None, f"bytes={len(archive) // 3}-"]
    assert (out / "yes" / "0a7c2a8d_nohash_0.wav").is_file() and not part.exists()


def test_checksum_mismatch_discards_the_download(archive, tmp_path):
    server = Server(archive)
    out = tmp_path / "sc"
    try:
        with pytest.raises(LossykwsError, match="does not match"):
            download.download_speech_commands(out, url=server.url, sha256="0" * 64)
    finally:
        server.close()
    assert list(tmp_path.iterdir()) == []


def test_offline_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # closed once the block ends: nothing listens there
    with pytest.raises(LossykwsError, match="cannot reach .*offline"):
        download.download_speech_commands(tmp_path / "sc", url=f"http://127.0.0.1:{port}/x.tar.gz",
                                          sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_official_archive_checksum_is_known():
    assert len(download.OFFICIAL_SHA256) == 64
    with pytest.raises(LossykwsError, match="64 hexadecimal"):
        download.download_speech_commands("x", url="http://127.0.0.1:9/a", sha256="abc")

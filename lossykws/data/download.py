"""Download and unpack the official Speech Commands archive, resuming a partial download.

The archive is fetched into a `.part` file beside the output folder; an interrupted download
continues from where it stopped (HTTP Range), the finished file is checked against its SHA-256,
and it is unpacked into a temporary folder that is renamed into place only when complete.
"""
import hashlib
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from lossykws.errors import LossykwsError
from lossykws.fsutil import atomic_dir, check_output_dir, sha256_file

OFFICIAL_URL = "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz"
OFFICIAL_SHA256 = "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58"
CHUNK = 1 << 20
TIMEOUT_S = 30


def partial_path(out_dir, url):
    out = Path(out_dir).absolute()
    tag = hashlib.sha256(url.encode()).hexdigest()[:12]
    return out.parent / f".{out.name}.{tag}.part"


def fetch(url, dest, progress=None):
    """Fetch url into dest, continuing a partial file when the server supports ranges."""
    have = dest.stat().st_size if dest.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:
            return  # the partial file is already whole
        raise LossykwsError(f"{url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise LossykwsError(f"cannot reach {url} ({reason}); offline? fetch the archive elsewhere, "
                            "unpack it, and pass its folder as DATA_DIR") from None
    with response:
        if have and response.status != 206:
            have = 0  # the server ignored the range: start again
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        bar = progress(total=total, desc="download", unit="B", unit_scale=True) if progress else None
        try:
            if bar is not None:
                bar.update(have)
            with open(dest, "ab" if have else "wb") as f:
                while True:
                    try:
                        block = response.read(CHUNK)
                    except OSError as e:
                        raise LossykwsError(f"{url}: connection lost after {f.tell()} bytes ({e}); "
                                            "run the command again to resume") from None
                    if not block:
                        break
                    f.write(block)
                    if bar is not None:
                        bar.update(len(block))
                got = f.tell()
        finally:
            if bar is not None:
                bar.close()
    if total is not None and got < total:
        raise LossykwsError(f"{url}: connection closed after {got} of {total} bytes; "
                            "run the command again to resume")


def unpack(archive, out_dir, force=False):
    try:
        with tarfile.open(archive, "r:*") as tar, atomic_dir(out_dir, force) as tmp:
            tar.extractall(tmp, filter="data")
    except (tarfile.TarError, EOFError, OSError) as e:
        raise LossykwsError(f"{archive}: cannot unpack ({e})") from None


def download_speech_commands(out_dir, url=None, sha256=None, force=False, progress=None):
    """Fetch the archive at `url` (the official one by default), verify it and unpack it to out_dir."""
    url = url or OFFICIAL_URL
    if sha256 is None and url == OFFICIAL_URL:
        sha256 = OFFICIAL_SHA256
    if sha256 is not None and (len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower())):
        raise LossykwsError(f"--sha256 {sha256!r}: expected 64 hexadecimal digits")
    check_output_dir(out_dir, force)
    part = partial_path(out_dir, url)
    part.parent.mkdir(parents=True, exist_ok=True)
    fetch(url, part, progress)
    if sha256 is None:
        print(f"warning: no checksum known for {url}; the archive is not verified (pass --sha256)",
              file=sys.stderr)
    else:
        digest = sha256_file(part)
        if digest != sha256.lower():
            part.unlink()
            raise LossykwsError(f"{url}: SHA-256 {digest} does not match the expected {sha256.lower()}; "
                                "the download was discarded")
    unpack(part, out_dir, force)
    part.unlink()

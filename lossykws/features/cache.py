"""The feature cache: every split of a corpus encoded once by one codec, in compact files.

    >>> report = cache.encode_corpus(["data/sc"], "vq", "build/cache-vq", task="words8")
    >>> split = cache.load_split("build/cache-vq", "train")   # x float32 [n, 64, 64, 4] of +-1, labels, ...

A cache folder holds:

    key.json          what the features depend on: task, labels, data fingerprint, codec parameters
    index.json        what was written: clips, shapes, bits per clip, bytes and SHA-256 per file, times
    codec/            the codec as fitted or loaded (VQ codebook, EnCodec settings, local codec weights)
    <split>.npz       per split: `packed` (uint8 [n, ceil(bits / 8)], np.packbits of bit < 0) for bit
                      codecs, or `x` (float32 [n, 128, 128]) for tf; `labels` (int16 indices into
                      key.json's labels), `speakers`, `paths` (UTF-8 bytes; load_split decodes them)

Reuse rule: a run whose key equals key.json's, with every file matching index.json, reuses the
cache and encodes nothing. A cache whose key differs (other data, codec, parameters, task) or whose
files are damaged is never reused: it is an error that says what differs, and `force=True`
(`--force`) rebuilds it in place. The new cache is built beside the old one and replaces it only
when complete, so an interrupted run leaves the old cache (or nothing) behind, never half a cache.

The codec, looked up by name in lossykws.features.codecs, says what its key entry holds, how it is
fitted on the training split (or loaded) and what it saves in codec/, and whether its features are
bits or float32. VQ: the codebook is fitted on the training split only (or an existing codebook is
given and checked against the asked parameters). EnCodec: the pretrained checkpoint's SHA-256 is
part of the key; a local codec (`encodec_weights="fit"`) is trained on the training split when the
cache is built.
"""
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lossykws.data import audio, datasets
from lossykws.errors import LossykwsError
from lossykws.features import codecs
from lossykws.fsutil import atomic_dir, atomic_file, read_json, sha256_file
from lossykws.progress import progress_bar

FORMAT = "lossykws-feature-cache"
VERSION = 2
KEY_FILE, INDEX_FILE, CODEC_DIR = "key.json", "index.json", "codec"
FLOAT_TF_BYTES = 128 * 128 * 4          # the float32 128x128 input, per clip: the baseline of the talk "Learning from Lossy Encoded Data" (D. Jacobellis)
MIB = float(1 << 20)


# ---------------------------------------------------------------- codec specification (the key)
def codec_spec(codec, options):
    """What the features of `codec` (a Codec) with `options` (encode_corpus's keywords) depend on,
    as JSON-able data: key.json's codec entry; checks the options first."""
    if not codec.encodec_options and (options["bandwidth"] is not None or options["encodec_checkpoint"]
                                      or options["encodec_weights"] != "pretrained"):
        raise LossykwsError(f"--bandwidth, --encodec-checkpoint and --encodec-weights apply to "
                            f"--codec encodec, not {codec.name}")
    return codec.spec(options)


# ---------------------------------------------------------------- the cache
def _differences(old, new):
    """Short names of the top-level (and codec) entries that differ between two keys."""
    if not isinstance(old, dict):
        return ["format"]
    diffs = [k for k in sorted(set(old) | set(new)) if k != "codec" and old.get(k) != new.get(k)]
    oc, nc = old.get("codec") or {}, new.get("codec") or {}
    if not isinstance(oc, dict):
        return diffs + ["codec"]
    diffs += [f"codec.{k}" for k in sorted(set(oc) | set(nc)) if oc.get(k) != nc.get(k)]
    return diffs


def check_cache(out_dir, key):
    """'reuse' if out_dir holds a complete cache for `key`, 'build' if there is none; else an error."""
    out = Path(out_dir)
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return "build"
    old = read_json(out / KEY_FILE)
    if old is None:
        raise LossykwsError(f"{out}: not a feature cache (no readable {KEY_FILE}); choose another --out "
                            "or use --force to replace it")
    diffs = _differences(old, key)
    if diffs:
        what = ", ".join(diffs)
        hint = " (another dataset)" if "data_fingerprint" in diffs else ""
        raise LossykwsError(f"{out}: holds a cache made with other settings{hint}, differing in {what}; "
                            "use --force to rebuild it or choose another --out")
    damage = verify_files(out)
    if damage:
        raise LossykwsError(f"{out}: damaged cache ({damage}); use --force to rebuild it")
    return "reuse"


def verify_files(cache_dir):
    """None if every file listed in index.json has its size and SHA-256, else what is wrong."""
    cache_dir = Path(cache_dir)
    index = read_json(cache_dir / INDEX_FILE)
    if not isinstance(index, dict) or not isinstance(index.get("files"), dict):
        return f"no readable {INDEX_FILE}"
    for name, meta in index["files"].items():
        if (Path(name).name != name or not isinstance(meta, dict) or type(meta.get("bytes")) is not int
                or not isinstance(meta.get("sha256"), str)):
            return f"{INDEX_FILE} is damaged (its entry {name[:40]!r})"
        f = cache_dir / name
        if not f.is_file():
            return f"{name} is missing"
        if f.stat().st_size != meta["bytes"] or sha256_file(f) != meta["sha256"]:
            return f"{name} does not match its checksum"
    return None


def _load_audio(clips, bar):
    out = np.empty((len(clips), audio.CLIP_SAMPLES), dtype=np.float32)
    for i, c in enumerate(clips):
        out[i] = audio.load_clip(c.path)
        if bar is not None:
            bar.update(1)
    return out


def encode_corpus(data_dirs, codec, out_dir, task="words8", *, force=False, bandwidth=None,
                  encodec_checkpoint=None, encodec_weights="pretrained", fit_budget_s=600.0,
                  local_config=None, vq_k=16, vq_block=(2, 2), vq_codebook=None, seed=0, batch=None,
                  progress=True):
    """Encode every split of the corpus in `data_dirs` with `codec` into the cache `out_dir`.

    Returns index.json's content plus `reused` (True when an existing cache matched). See the
    module docstring for the files, the reuse rule and `force`.
    """
    options = dict(bandwidth=bandwidth, encodec_checkpoint=encodec_checkpoint, encodec_weights=encodec_weights,
                   fit_budget_s=fit_budget_s, local_config=local_config, vq_k=vq_k, vq_block=vq_block,
                   vq_codebook=vq_codebook, seed=seed, progress=progress)
    c = codecs.codec(codec)
    spec = codec_spec(c, options)
    corpus = datasets.scan(data_dirs, task)
    if not corpus.split("train"):
        raise LossykwsError(f"{', '.join(map(str, data_dirs))}: no training clips for task {task}")
    key = {"format": FORMAT, "version": VERSION, "task": task, "labels": list(corpus.labels),
           "data_fingerprint": corpus.fingerprint(),
           "clips": len(corpus.clips), "codec": spec}
    out = Path(out_dir)
    if not force and check_cache(out, key) == "reuse":
        index = read_json(out / INDEX_FILE)
        return {**index, "reused": True}
    report = {"format": FORMAT, "version": VERSION, "codec": codec, "task": task, "splits": {}, "files": {}}
    started = time.monotonic()
    label_index = {name: i for i, name in enumerate(corpus.labels)}
    train_cache = {}

    def train_clips_audio():
        if "audio" not in train_cache:
            train = corpus.split("train")
            with _bar(len(train), "load train", progress) as bar:
                train_cache["audio"] = _load_audio(train, bar)
        return train_cache["audio"]

    def train_features():
        from lossykws.features import frontend

        return frontend.features_batch(train_clips_audio())

    split_fp = hashlib.sha256((key["data_fingerprint"] + ":train").encode()).hexdigest()[:16]
    fitting = codecs.Fitting(train_clips_audio, train_features, split_fp, options, report)
    with atomic_dir(out, force=True) as tmp:
        (tmp / CODEC_DIR).mkdir()
        encoder = c.build(spec, fitting, tmp / CODEC_DIR)
        shape = encoder.shape
        train_cache.clear()
        batch = batch or c.encode_batch
        for split in datasets.SPLITS:
            clips = corpus.split(split)
            t = time.monotonic()
            feats = _encode_split(clips, encoder, batch, split, progress)
            seconds = time.monotonic() - t
            feats = encoder.finish(split, feats, report)
            arrays = {"labels": np.array([label_index[c.label] for c in clips], dtype=np.int16),
                      "speakers": np.array([c.speaker.encode() for c in clips], dtype=bytes),
                      "paths": np.array([str(c.path).encode() for c in clips], dtype=bytes)}
            n = len(clips)
            if c.bits:   # one bit per value, packed
                arrays["packed"] = np.packbits(feats.reshape(n, int(np.prod(shape))) < 0, axis=1)
                bits_per_clip = int(np.prod(shape))
                payload = int(arrays["packed"].nbytes)
            else:
                arrays["x"] = np.ascontiguousarray(feats, dtype=np.float32)
                bits_per_clip = int(np.prod(shape)) * 32
                payload = int(arrays["x"].nbytes)
            name = f"{split}.npz"
            with atomic_file(tmp / name) as f:
                np.savez(f, **arrays)
            report["files"][name] = {"bytes": (tmp / name).stat().st_size, "sha256": sha256_file(tmp / name)}
            report["splits"][split] = {
                "clips": n, "shape": list(shape), "bits_per_clip": bits_per_clip,
                "payload_mib": round(payload / MIB, 3), "float32_128x128_mib": round(n * FLOAT_TF_BYTES / MIB, 2),
                "file_mib": round(report["files"][name]["bytes"] / MIB, 3),
                "encode_s": round(seconds, 2), "ms_per_clip": round(1000 * seconds / max(n, 1), 2)}
        report["kind"] = "bits" if c.bits else "float32"
        report["seconds"] = round(time.monotonic() - started, 1)
        (tmp / INDEX_FILE).write_text(json.dumps(report, indent=1) + "\n")
        (tmp / KEY_FILE).write_text(json.dumps(key, indent=1) + "\n")
    return {**report, "reused": False}


class _bar:
    def __init__(self, total, desc, enabled):
        self.b = progress_bar(total=total, desc=desc, unit="clip") if enabled else None

    def __enter__(self):
        return self.b

    def __exit__(self, *exc):
        if self.b is not None:
            self.b.close()


def _encode_split(clips, encoder, batch, split, progress):
    out = np.empty((len(clips), *encoder.stored_shape), dtype=encoder.stored_dtype)
    with _bar(len(clips), f"encode {split}", progress) as bar:
        for s in range(0, len(clips), batch):
            part = clips[s:s + batch]
            x = np.stack([audio.load_clip(c.path) for c in part])
            out[s:s + len(part)] = encoder.encode(x)
            if bar is not None:
                bar.update(len(part))
    return out


# ---------------------------------------------------------------- reading
def read_key(cache_dir):
    """key.json of a cache: its format and version checked, and the entries readers use (task,
    labels, codec) of the right types; a one-line error otherwise."""
    key = read_json(Path(cache_dir) / KEY_FILE)
    if not isinstance(key, dict) or key.get("format") != FORMAT:
        raise LossykwsError(f"{cache_dir}: not a feature cache (no {KEY_FILE} of format {FORMAT})")
    if key.get("version") != VERSION:
        raise LossykwsError(f"{cache_dir}: cache version {key.get('version')!r:.20} is not {VERSION}; rebuild it")
    labels, codec = key.get("labels"), key.get("codec")
    if not (isinstance(key.get("task"), str) and isinstance(labels, list) and labels
            and all(isinstance(x, str) for x in labels) and isinstance(codec, dict) and codec.get("codec") in codecs.names()):
        raise LossykwsError(f"{Path(cache_dir) / KEY_FILE}: damaged (task, labels or codec missing or of the wrong "
                            "type); rebuild the cache with --force")
    return key


def _damaged(path, what):
    return LossykwsError(f"{path}: damaged cache split ({what}); rebuild the cache with --force")


def _read_split_file(path):
    """{name: array} of a split's .npz; a one-line error for a missing or damaged file."""
    try:
        z = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise LossykwsError(f"{path}: missing; rebuild the cache with --force") from None
    except Exception as e:  # noqa: BLE001  (numpy and zipfile raise many kinds for a damaged file)
        raise _damaged(path, f"unreadable: {type(e).__name__}") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise _damaged(path, "not an .npz archive")
    try:
        with z:
            return {k: z[k] for k in z.files}
    except Exception as e:  # noqa: BLE001
        raise _damaged(path, f"unreadable: {type(e).__name__}") from None


def _check_split(path, d, shape, n_labels):
    """The arrays of a split agree with each other and with index.json's shape."""
    labels = d.get("labels")
    if not isinstance(labels, np.ndarray) or labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise _damaged(path, "no 1-D integer labels")
    n = len(labels)
    if n and (labels.min() < 0 or labels.max() >= n_labels):
        raise _damaged(path, f"a label index outside 0..{n_labels - 1}")
    for name in ("speakers", "paths"):
        a = d.get(name)
        if not isinstance(a, np.ndarray) or a.shape != (n,) or a.dtype.kind != "S":
            raise _damaged(path, f"no {name} (bytes, one per clip)")
    if "packed" in d:
        packed, nbits = d["packed"], int(np.prod(shape))
        if packed.dtype != np.uint8 or packed.shape != (n, (nbits + 7) // 8):
            raise _damaged(path, f"packed bits of {packed.dtype} {list(packed.shape)}, expected uint8 "
                                 f"{[n, (nbits + 7) // 8]}")
    elif "x" in d:
        if d["x"].dtype.kind != "f" or d["x"].shape != (n, *shape):
            raise _damaged(path, f"features of {d['x'].dtype} {list(d['x'].shape)}, expected float {[n, *shape]}")
    else:
        raise _damaged(path, "neither packed bits nor features")


@dataclass(frozen=True)
class Cache:
    """An opened feature cache: its folder, key.json and index.json read and checked once, then
    passed down instead of the folder's path (open_cache)."""
    dir: Path
    key: dict
    index: dict

    @property
    def codec_dir(self):
        return self.dir / CODEC_DIR

    @property
    def labels(self):
        return self.key["labels"]

    @property
    def codec(self):
        """The codec's entry of key.json (its name under "codec", its parameters)."""
        return self.key["codec"]

    def split_info(self, split):
        """index.json's entry of a split (clips, shape, bits_per_clip ...), its shape checked."""
        splits = self.index["splits"]
        meta = splits.get(split)
        if meta is None:
            raise LossykwsError(f"{self.dir}: no split {split!r} (has {', '.join(map(str, splits))})")
        shape = meta.get("shape") if isinstance(meta, dict) else None
        if not (isinstance(shape, list) and shape and all(type(s) is int and 0 < s <= 1 << 16 for s in shape)):
            raise LossykwsError(f"{self.dir / INDEX_FILE}: damaged (the {split} split has no shape of positive "
                                "sizes); rebuild the cache with --force")
        return meta

    def load_split(self, split, bits_dtype=np.float32):
        """A split: dict(x, labels, label_names, speakers, paths, codec).

        x: +-1 bits [n, *shape] of bits_dtype for bit codecs (set bit -> -1; training holds them as
        int8), float32 features for tf.
        """
        shape = tuple(self.split_info(split)["shape"])
        path = self.dir / f"{split}.npz"
        d = _read_split_file(path)
        _check_split(path, d, shape, len(self.labels))
        if "packed" in d:
            n, nbits = len(d["labels"]), int(np.prod(shape))
            set_bits = np.unpackbits(d["packed"], axis=1, count=nbits)
            x = (1 - 2 * set_bits.astype(bits_dtype)).reshape(n, *shape)
        else:
            x = d["x"]
        return {"x": x, "labels": d["labels"].astype(np.int64), "label_names": self.labels,
                "speakers": np.char.decode(d["speakers"], "utf-8"), "paths": np.char.decode(d["paths"], "utf-8"),
                "codec": self.codec}

    def label_counts(self):
        """{split: {label: clips}}, from the labels arrays alone (no features are read)."""
        names = self.labels
        counts = {}
        for split in datasets.SPLITS:
            path = self.dir / f"{split}.npz"
            labels = _read_split_file(path).get("labels")
            if not isinstance(labels, np.ndarray) or labels.ndim != 1 or labels.dtype.kind not in "iu":
                raise _damaged(path, "no 1-D integer labels")
            if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
                raise _damaged(path, f"a label index outside 0..{len(names) - 1}")
            found = np.bincount(labels.astype(np.int64), minlength=len(names)) if labels.size else [0] * len(names)
            counts[split] = {name: int(n) for name, n in zip(names, found)}
        return counts


def open_cache(cache_dir):
    """The cache in `cache_dir` as a Cache; one-line errors for a folder that is not one, or a
    damaged key.json or index.json."""
    if isinstance(cache_dir, Cache):
        return cache_dir
    cache_dir = Path(cache_dir)
    key = read_key(cache_dir)
    index = read_json(cache_dir / INDEX_FILE)
    if not isinstance(index, dict) or not isinstance(index.get("splits"), dict):
        raise LossykwsError(f"{cache_dir / INDEX_FILE}: missing or damaged (no splits); rebuild the cache with --force")
    return Cache(cache_dir, key, index)


def load_split(cache_dir, split, bits_dtype=np.float32):
    """A split of the cache in `cache_dir` (Cache.load_split)."""
    return open_cache(cache_dir).load_split(split, bits_dtype)


def label_counts(cache_dir):
    """{split: {label: clips}} of the cache in `cache_dir` (Cache.label_counts)."""
    return open_cache(cache_dir).label_counts()


def format_report(report, out_dir):
    """Lines for the terminal: per split, clips, bits per clip, MiB beside the float32 128x128 input."""
    lines = [f"{'reused' if report.get('reused') else 'wrote'} {report['codec']} cache {out_dir}"
             + (f" ({report['codec_label']})" if report.get("codec_label") else "")]
    for split, s in report["splits"].items():
        lines.append(f"  {split:<10} {s['clips']:>6} clips  {s['bits_per_clip']:>7} bits/clip  "
                     f"{s['payload_mib']:>8.2f} MiB  (float32 128x128: {s['float32_128x128_mib']:.2f} MiB)  "
                     f"{s['ms_per_clip']:.1f} ms/clip")
    lc = report.get("local_codec")
    if lc:
        q, c = lc["quality"], lc["control_quality"]
        lines.append(f"  local codec (not EnCodec pretrained): SNR {q['snr_db']} dB, log-mel L1 {q['log_mel_l1']}; "
                     f"control (random encoder, k-means codebooks): SNR {c['snr_db']} dB, "
                     f"log-mel L1 {c['log_mel_l1']}")
    return "\n".join(lines)

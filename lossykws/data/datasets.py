"""Speech Commands corpora: the folder layout, the tasks, and speaker-disjoint splits.

A corpus is any folder in the Speech Commands layout:

    <word>/<speaker>_nohash_<n>.wav            a word said by a speaker
    _unknown_/<word>_<speaker>_nohash_<n>.wav   a word outside the task, kept under _unknown_
    _silence_/<name>.wav                        1 s of background (no speaker)
    _background_noise_/<name>.wav               long noise recordings, used for augmentation
    validation_list.txt, testing_list.txt       the official split, when present

Splits are by speaker, never by clip. With the official lists present they are used as they are
(they were made by speaker). Otherwise a salted SHA-256 of the speaker id picks the split, so a
speaker lands in the same split on every machine and never in two. The salt matters: the official
lists were made by an unsalted SHA-1 of the same ids, so reusing that hash on a folder drawn from
the official test set (like shared/data's) would put every speaker into "test".
"""
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lossykws.data import audio
from lossykws.errors import BadAudio, LossykwsError

WORDS8 = ("stop", "down", "no", "right", "go", "up", "yes", "left")
KWS12_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
SILENCE, UNKNOWN, NOISE = "_silence_", "_unknown_", "_background_noise_"
TASKS = {
    "words8": WORDS8,
    "kws12": KWS12_WORDS + (SILENCE, UNKNOWN),
}
SPLITS = ("train", "validation", "test")
VALIDATION_PERCENT = 10.0
TESTING_PERCENT = 10.0
_NOHASH = re.compile(r"^(?:(?P<word>[^_]+)_)?(?P<speaker>[^_]+)_nohash_(?P<n>\d+)$")


@dataclass(frozen=True)
class Clip:
    path: Path
    label: str      # the task's label (a task word, _silence_ or _unknown_)
    word: str       # what was said (the folder name, or the word prefix under _unknown_)
    speaker: str    # speaker id; for _silence_ clips, the file stem (each is its own source)
    split: str


@dataclass
class Corpus:
    """The clips of one or more folders for one task, with what was found wrong on the way."""
    task: str
    labels: tuple
    clips: list = field(default_factory=list)
    noise: list = field(default_factory=list)       # paths of background-noise recordings
    problems: list = field(default_factory=list)    # (path, reason)
    skipped: int = 0                                # bad clips left out
    padded: int = 0                                 # clips shorter than 1 s: normal, padded with silence

    def split(self, name):
        return [c for c in self.clips if c.split == name]

    def fingerprint(self):
        """A hash of the task and of every clip's label, name, split and bytes."""
        h = hashlib.sha256(self.task.encode())
        for c in sorted(self.clips, key=lambda c: (c.label, c.speaker, c.path.name)):
            h.update(f"{c.label}/{c.path.name}/{c.split}\n".encode())
            h.update(hashlib.sha256(c.path.read_bytes()).digest())
        return h.hexdigest()[:16]


def check_task(task):
    if task not in TASKS:
        raise LossykwsError(f"unknown task {task!r}: expected one of {', '.join(TASKS)}")
    return TASKS[task]


def which_set(speaker, validation_percent=VALIDATION_PERCENT, testing_percent=TESTING_PERCENT):
    """The split of a speaker, from a salted hash of its id alone."""
    digest = hashlib.sha256(("lossykws-split-v1:" + speaker).encode("utf-8")).digest()
    percent = int.from_bytes(digest[:8], "big") / 2.0 ** 64 * 100.0
    if percent < validation_percent:
        return "validation"
    if percent < validation_percent + testing_percent:
        return "test"
    return "train"


FOLD_SALT = "lossykws-folds-v1"


def _deal_folds(sources, k, salt, validation_percent):
    """{source: split} for each of k folds: sources dealt round-robin in a salted-hash order."""
    order = sorted(sources, key=lambda s: hashlib.sha256(f"{salt}:{s}".encode("utf-8")).digest())
    fold = {s: i % k for i, s in enumerate(order)}
    folds = []
    for i in range(k):
        rest = sorted((s for s in order if fold[s] != i),
                      key=lambda s: hashlib.sha256(f"{salt}:validation:{i}:{s}".encode("utf-8")).digest())
        n_val = min(max(1, round(len(rest) * validation_percent / 100.0)), len(rest) - 1) if rest else 0
        split = {s: "test" for s in order if fold[s] == i}
        split.update({s: "validation" if j < n_val else "train" for j, s in enumerate(rest)})
        folds.append(split)
    return folds


def speaker_folds(corpus, k, seed=0, validation_percent=VALIDATION_PERCENT):
    """Speaker-disjoint k-fold cross-validation of a Corpus: a list of k {speaker: split} dicts.

    Fold i tests its own speakers; validation (for epoch selection) is about `validation_percent`
    of the other folds' speakers, a different draw per fold; train is the rest. Speakers are dealt
    round-robin into folds in the order of a salted hash of their id (`seed` changes the salt), so the
    folds hold equal numbers of speakers (within one) and every speaker is tested exactly once over
    the k folds. _silence_ clips have no speaker (each file is its own source, Clip.speaker
    "silence-<stem>") and are dealt the same way on their own, so every fold gets its share."""
    speakers = sorted({c.speaker for c in corpus.clips if c.word != SILENCE})
    if not 2 <= k <= len(speakers):
        raise LossykwsError(f"cannot split {len(speakers)} speakers into {k} folds: expected 2 to "
                            f"{len(speakers)} folds")
    silence = sorted({c.speaker for c in corpus.clips if c.word == SILENCE})
    salt = f"{FOLD_SALT}:{seed}"
    folds = _deal_folds(speakers, k, salt, validation_percent)
    for split, extra in zip(folds, _deal_folds(silence, k, salt, validation_percent)):
        split.update(extra)
    return folds


def parse_name(path, folder):
    """(word, speaker) of a clip from its folder and file name; None if the name is not the layout's."""
    stem = Path(path).stem
    if folder == SILENCE:
        return SILENCE, f"silence-{stem}"
    m = _NOHASH.match(stem)
    if not m:
        return None
    if folder == UNKNOWN:
        if not m.group("word"):
            return None
        return m.group("word"), m.group("speaker")
    if m.group("word"):
        return None
    return folder, m.group("speaker")


def _official_lists(root):
    lists = {}
    for split, name in (("validation", "validation_list.txt"), ("test", "testing_list.txt")):
        f = root / name
        if f.is_file():
            for line in f.read_text().split():
                lists[line.strip()] = split
    return lists


def label_for(word, task):
    """The task's label for a word, or None when the task leaves the word out."""
    labels = TASKS[task]
    if word in labels:
        return word
    if UNKNOWN in labels and word not in (SILENCE, NOISE):
        return UNKNOWN
    return None


def scan(roots, task, validate=True, progress=None):
    """Read one or more corpora into a Corpus for `task`.

    With `validate`, each clip is decoded; a bad clip is recorded in `problems` and left out, and a
    clip with another rate, channel count or length is recorded but kept (the loader converts it).
    """
    check_task(task)
    corpus = Corpus(task=task, labels=TASKS[task])
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            raise LossykwsError(f"{root}: no such folder (expected a Speech Commands folder)")
        lists = _official_lists(root)
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        found = [p for p in folders if p.name != NOISE and label_for(p.name, task)]
        if not found:
            raise LossykwsError(f"{root}: no label folders of task {task} "
                                f"(expected some of {', '.join(TASKS[task])})")
        if (root / NOISE).is_dir():
            corpus.noise.extend(sorted((root / NOISE).glob("*.wav")))
        for folder in found:
            files = sorted(folder.glob("*.wav"))
            if not files:
                corpus.problems.append((str(folder), "empty label folder (no .wav files)"))
            for f in files:
                parsed = parse_name(f, folder.name)
                if parsed is None:
                    corpus.problems.append((str(f), "file name is not <speaker>_nohash_<n>.wav"))
                    corpus.skipped += 1
                    continue
                word, speaker = parsed
                label = label_for(word, task)
                if label is None:
                    continue
                if validate:
                    reason = clip_problem(f)
                    if reason is not None and reason[0] == "short":
                        corpus.padded += 1
                    elif reason is not None:
                        corpus.problems.append((str(f), reason[1]))
                        if reason[0] == "bad":
                            corpus.skipped += 1
                            continue
                rel = f"{folder.name}/{f.name}"
                split = lists.get(rel, "train") if lists else which_set(speaker)
                corpus.clips.append(Clip(f, label, word, speaker, split))
                if progress:
                    progress(1)
    for label in corpus.labels:
        if not any(c.label == label for c in corpus.clips):
            corpus.problems.append((label, f"no clips of label {label}"))
    return corpus


FEW_TRAINING_CLIPS = 10   # a label with fewer training clips than this gets a warning


def label_counts(corpus):
    """{split: {label: clips}} of a corpus, every split and label present (0 when none)."""
    counts = {s: {lab: 0 for lab in corpus.labels} for s in SPLITS}
    for c in corpus.clips:
        counts[c.split][c.label] += 1
    return counts


def check_training_labels(labels, counts, source):
    """Refuse data that cannot train the task's labels; return warnings (one line each).

    A task label with no training clip, or a validation or test split holding clips of fewer than
    two labels, is a LossykwsError naming the labels and the split: training would "succeed" and
    report a meaningless accuracy. A label with few training clips, or none in validation or test,
    is a warning with the counts."""
    missing = [lab for lab in labels if not counts["train"].get(lab)]
    if missing:
        raise LossykwsError(f"{source}: no training clips of label(s) {', '.join(missing)} "
                            f"(the task's labels are {', '.join(labels)}); add clips of them or choose another task")
    for split in ("validation", "test"):
        present = [lab for lab in labels if counts[split].get(lab)]
        if len(present) < 2:
            raise LossykwsError(f"{source}: the {split} split holds clips of {len(present)} label(s) "
                                f"({', '.join(present) or 'none'}); at least 2 are needed to measure accuracy "
                                "(more speakers are needed: splits are by speaker)")
    warnings = []
    few = {lab: counts["train"][lab] for lab in labels if counts["train"][lab] < FEW_TRAINING_CLIPS}
    if few:
        warnings.append(f"{source}: few training clips of " + ", ".join(f"{lab} ({n})" for lab, n in few.items()))
    for split in ("validation", "test"):
        absent = [lab for lab in labels if not counts[split].get(lab)]
        if absent:
            warnings.append(f"{source}: no {split} clips of {', '.join(absent)}")
    return warnings


def clip_problem(path):
    """("bad", reason) for a clip that cannot be used; ("convert", reason) for one the loader
    changes in a way Speech Commands clips never need (another rate or channel count, longer than
    1 s: trimmed); ("short", reason) for one shorter than 1 s, padded with silence as about 10 % of
    Speech Commands clips are: normal, not a problem; None for a clip used as it is."""
    try:
        _, info = audio.read_wav(path)
    except BadAudio as e:
        return "bad", e.reason
    notes = conversion_notes(info)
    if not notes:
        return None
    return ("short", notes) if _is_short_only(info) else ("convert", notes)


def _is_short_only(info):
    return info.rate == audio.SAMPLE_RATE and info.channels == 1 and info.frames < audio.CLIP_SAMPLES


def conversion_notes(info):
    """What the loader changes in a decoded clip of this WavInfo to make it 16 kHz mono 1 s; "" if nothing."""
    notes = []
    if info.rate != audio.SAMPLE_RATE:
        notes.append(f"sample rate {info.rate} Hz, expected {audio.SAMPLE_RATE} (resampled)")
    if info.channels != 1:
        notes.append(f"{info.channels} channels, expected mono (mixed down)")
    seconds = info.frames / info.rate
    if abs(seconds - 1.0) > 1e-9:
        notes.append(f"length {seconds:.3f} s, expected 1 s ({'padded' if seconds < 1 else 'trimmed'})")
    return "; ".join(notes)


def summary(corpus):
    """Counts per label and split, speakers per split, and problems, as plain data (for --json)."""
    counts = defaultdict(Counter)
    speakers = defaultdict(set)
    for c in corpus.clips:
        counts[c.label][c.split] += 1
        if c.label != SILENCE:
            speakers[c.split].add(c.speaker)
    all_speakers = set().union(*speakers.values()) if speakers else set()
    overlap = sorted((speakers["train"] & speakers["validation"]) | (speakers["train"] & speakers["test"])
                     | (speakers["validation"] & speakers["test"]))
    return {
        "task": corpus.task,
        "labels": list(corpus.labels),
        "clips": len(corpus.clips),
        "speakers": len(all_speakers),
        "per_label": {lab: {s: counts[lab][s] for s in SPLITS} | {"total": sum(counts[lab].values())}
                      for lab in corpus.labels},
        "per_split": {s: {"clips": sum(counts[lab][s] for lab in corpus.labels),
                          "speakers": len(speakers[s])} for s in SPLITS},
        "speakers_in_two_splits": overlap,
        "noise_recordings": len(corpus.noise),
        "skipped": corpus.skipped,
        "padded": corpus.padded,
        "problems": [{"file": p, "problem": r} for p, r in corpus.problems],
    }


def format_summary(s):
    lines = [f"task {s['task']}: {s['clips']} clips, {len(s['labels'])} labels, {s['speakers']} speakers"]
    lines.append(f"{'label':<12}" + "".join(f"{x:>12}" for x in SPLITS + ("total",)))
    for lab, c in s["per_label"].items():
        lines.append(f"{lab:<12}" + "".join(f"{c[x]:>12}" for x in SPLITS + ("total",)))
    lines.append(f"{'speakers':<12}" + "".join(f"{s['per_split'][x]['speakers']:>12}" for x in SPLITS))
    lines.append("splits are speaker-disjoint" if not s["speakers_in_two_splits"]
                 else f"speakers in two splits: {', '.join(s['speakers_in_two_splits'])}")
    if s["noise_recordings"]:
        lines.append(f"background noise recordings: {s['noise_recordings']}")
    if s.get("padded"):
        lines.append(f"{s['padded']} clips shorter than 1 s, padded with silence (normal in Speech Commands)")
    if s["problems"]:
        lines.append(f"{len(s['problems'])} problems ({s['skipped']} clips skipped):")
        lines.extend(f"  {p['file']}: {p['problem']}" for p in s["problems"])
    return "\n".join(lines)


def dumps_summary(s):
    return json.dumps(s, indent=2)

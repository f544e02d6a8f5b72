"""The qemu-m4 target: the mps2-an386 (Cortex-M4F) harness files, building the ELF, running it in
QEMU with the instruction-counting plugin, and checking what the ELF links.

A qemu-m4 project is self-contained (it builds and runs with `make`, `make count` alone); these
functions drive the same Makefile from Python for `lossykws emulate` and the tests:

    files = write_qemu_m4_files(project_dir)        # harness, board and plugin sources
    elf = build_firmware(project_dir)                # make -> build/fw.elf
    plugin = build_plugin(project_dir)               # make plugin -> build/insn_count.so (host cc)
    run = run_qemu(elf, ["--outputs", out, "in0.bin"], plugin=plugin)
    run.returncode, run.instructions                 # model status, [instructions of the model call]
    run_project(project_dir, ["x.bin"], out, op_counts=True)["op_instructions"]  # per op
    elf_sizes(elf)                                   # {"text": ..., "data": ..., "bss": ...}
    check_no_heap(elf)                               # [] when no malloc/_sbrk is linked
"""
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LossykwsError

ROOT = Path(__file__).resolve().parents[1]
BOARD = "mps2-an386"
BOARD_DIR = ROOT / "firmware" / "targets" / BOARD
ARMV7M_DIR = ROOT / "firmware" / "targets" / "armv7m"  # the build every ARMv7-M board shares
TEMPLATE_DIR = ROOT / "firmware" / "templates" / "qemu-m4"
PLUGIN_DIR = ROOT / "tools" / "qemu_plugin"

# Where each file of a qemu-m4 project comes from, relative to the project root.
_PROJECT_FILES = {
    "main.c": TEMPLATE_DIR / "main.c",
    "Makefile": TEMPLATE_DIR / "Makefile",
    "target/startup.c": ARMV7M_DIR / "startup.c",
    "target/semihost.c": ARMV7M_DIR / "semihost.c",
    "target/probe.c": ARMV7M_DIR / "probe.c",
    "target/probe.h": ARMV7M_DIR / "probe.h",
    "target/crt.c": ARMV7M_DIR / "crt.c",
    "target/crt.h": ARMV7M_DIR / "crt.h",
    "target/semihost.h": ARMV7M_DIR / "semihost.h",
    "target/board.h": ARMV7M_DIR / "board.h",
    "target/armv7m.mk": ARMV7M_DIR / "armv7m.mk",
    "target/board.mk": BOARD_DIR / "board.mk",
    "target/mps2-an386.ld": BOARD_DIR / "mps2-an386.ld",
    "qemu_plugin/insn_count.c": PLUGIN_DIR / "insn_count.c",
    "qemu_plugin/qemu_plugin_api.h": PLUGIN_DIR / "qemu_plugin_api.h",
}

# The Debian package that provides each program the qemu-m4 target runs.
DEBIAN_PACKAGES = {
    "arm-none-eabi-gcc": "gcc-arm-none-eabi",
    "arm-none-eabi-nm": "binutils-arm-none-eabi",
    "arm-none-eabi-size": "binutils-arm-none-eabi",
    "arm-none-eabi-readelf": "binutils-arm-none-eabi",
    "qemu-system-arm": "qemu-system-arm",
    "make": "make",
    "cc": "gcc",
}

HEAP_SYMBOLS = ("malloc", "_malloc_r", "_sbrk", "_sbrk_r", "free", "_free_r", "calloc",
                "_calloc_r", "realloc", "_realloc_r")
QEMU_OPTIONS = ["-nographic", "-semihosting-config", "enable=on,target=native"]
MARKERS = ("lkws_marker_begin", "lkws_marker_end")


@dataclass
class QemuRun:
    """One QEMU run of a harness ELF: exit status, console text and the plugin's counts (one per
    begin/end bracket executed; empty without the plugin)."""
    returncode: int
    stdout: str
    stderr: str
    instructions: list = field(default_factory=list)
    profile: list = field(default_factory=list)  # per bracket: {function name: self count}


def require_tools(*names):
    """Raise a one-line LossykwsError naming the Debian package of the first missing program."""
    for name in names:
        if shutil.which(name) is None:
            package = DEBIAN_PACKAGES.get(name, name)
            raise LossykwsError(f"{name} not found: install the Debian package {package} "
                                f"(apt-get install {package}; tools/bootstrap does it)")


def project_files():
    """{path relative to the project: bytes} of a qemu-m4 project's non-generated files: the harness
    (main.c, Makefile), the board files (target/) and the instruction counter (qemu_plugin/)."""
    return {relative: source.read_bytes() for relative, source in _PROJECT_FILES.items()}


def write_qemu_m4_files(project_dir):
    """Write project_files() into a project folder that holds the generated model (model.c/.h,
    model_data.c/.h, model_settings.h, include/, src/). Returns the paths written, relative."""
    project_dir = Path(project_dir)
    files = project_files()
    for relative, content in files.items():
        destination = project_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
    return sorted(files)


def _make(project_dir, *targets, jobs=2):
    require_tools("make", "arm-none-eabi-gcc")
    result = subprocess.run(["make", "-C", str(project_dir), f"-j{jobs}", *targets],
                            capture_output=True, text=True)
    if result.returncode != 0:
        text = result.stderr + result.stdout
        lines = [line for line in text.splitlines() if "error" in line.lower()] or text.splitlines()
        first = lines[0].strip() if lines else f"exit status {result.returncode}"
        raise LossykwsError(f"{project_dir}: make {' '.join(targets)} failed: {first}")
    return result


def build_firmware(project_dir, jobs=2, cflags=None):
    """Build the project's ELF with arm-none-eabi-gcc (its Makefile); return its path. cflags: extra
    compiler flags (the Makefile's KWS_CFLAGS, e.g. "-DKWS_DETECTION_THRESHOLD=0.8f" to override a
    kws_settings.h default); a build with other flags should go into a fresh copy of the project."""
    _make(project_dir, "all", *([f"KWS_CFLAGS={cflags}"] if cflags else []), jobs=jobs)
    return Path(project_dir) / "build" / "fw.elf"


def build_plugin(project_dir):
    """Build the project's copy of the instruction-counting QEMU plugin with the host C compiler."""
    require_tools("cc")
    _make(project_dir, "plugin", jobs=1)
    return Path(project_dir) / "build" / "insn_count.so"


def _symbols(elf):
    require_tools("arm-none-eabi-nm")
    result = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True)
    if result.returncode != 0:
        raise LossykwsError(f"{elf}: arm-none-eabi-nm failed: {result.stderr.strip()}")
    symbols = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2]] = int(parts[0], 16)
        elif len(parts) == 2:  # undefined: "U name"
            symbols.setdefault(parts[1], None)
    return symbols


def marker_addresses(elf):
    """Addresses of lkws_marker_begin and lkws_marker_end, Thumb bit cleared."""
    symbols = _symbols(elf)
    missing = [name for name in MARKERS if symbols.get(name) is None]
    if missing:
        raise LossykwsError(f"{elf}: no {missing[0]} symbol (not built from the qemu-m4 harness?)")
    return tuple(symbols[name] & ~1 for name in MARKERS)


def elf_symbols(elf):
    """The ELF's sized symbols from arm-none-eabi-readelf: [{"name", "address", "size", "type"
    (FUNC, OBJECT, ...), "bind"}]; the Thumb bit of function addresses is cleared."""
    require_tools("arm-none-eabi-readelf")
    result = subprocess.run(["arm-none-eabi-readelf", "-sW", str(elf)], capture_output=True, text=True)
    if result.returncode != 0:
        raise LossykwsError(f"{elf}: arm-none-eabi-readelf failed: {result.stderr.strip()}")
    symbols = []
    for line in result.stdout.splitlines():
        parts = line.split()
        # Num: Value Size Type Bind Vis Ndx Name
        if len(parts) == 8 and parts[0].endswith(":") and parts[6] != "UND":
            try:  # readelf writes large sizes in hex
                size = int(parts[2], 16) if parts[2].startswith("0x") else int(parts[2])
            except ValueError:
                continue
            if size:
                symbols.append({"name": parts[7], "address": int(parts[1], 16) & ~1, "size": size,
                                "type": parts[3], "bind": parts[4]})
    return symbols


def check_no_heap(elf):
    """The heap symbols (malloc, _sbrk, ...) present in the ELF: [] for a heap-free firmware."""
    symbols = _symbols(elf)
    return [name for name in HEAP_SYMBOLS if name in symbols]


def elf_sizes(elf):
    """text, data and bss bytes of the ELF, as arm-none-eabi-size (Berkeley format) counts them:
    text is code and constants (flash), data the initialised RAM (also stored in flash), bss the
    zeroed RAM (the arena, buffers and the 64 KiB stack reserve)."""
    require_tools("arm-none-eabi-size")
    result = subprocess.run(["arm-none-eabi-size", "-B", str(elf)], capture_output=True, text=True)
    if result.returncode != 0:
        raise LossykwsError(f"{elf}: arm-none-eabi-size failed: {result.stderr.strip()}")
    text, data, bss = (int(value) for value in result.stdout.splitlines()[1].split()[:3])
    return {"text": text, "data": data, "bss": bss}


def _check_argument(value, separator=None):
    value = str(value)
    if not value or any(c.isspace() for c in value):
        raise LossykwsError(f"'{value}': QEMU's semihosting command line cannot carry a path "
                            "with spaces (or an empty one); use another folder")
    if separator is not None and separator in value:
        raise LossykwsError(f"'{value}': QEMU's -plugin option cannot carry a path with "
                            f"'{separator}'; use another folder")
    return value


def _write_function_list(elf, path):
    """The ELF's functions as "START SIZE NAME" lines, for the plugin's profile."""
    result = subprocess.run(["arm-none-eabi-nm", "-S", "--defined-only", str(elf)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise LossykwsError(f"{elf}: arm-none-eabi-nm failed: {result.stderr.strip()}")
    lines = [f"{start} {size} {name}" for start, size, kind, name in
             (line.split() for line in result.stdout.splitlines() if len(line.split()) == 4)
             if kind in "tTwW"]
    Path(path).write_text("\n".join(lines) + "\n")


def _read_profile(path):
    brackets = []
    for line in Path(path).read_text().splitlines():
        bracket, count, name = line.split(maxsplit=2)
        while len(brackets) <= int(bracket):
            brackets.append({})
        brackets[int(bracket)][name] = brackets[int(bracket)].get(name, 0) + int(count)
    return brackets


def run_qemu(elf, args=(), *, plugin=None, profile=False, icount=False, cwd=None, timeout=120,
             machine=BOARD):
    """Run a harness ELF on QEMU's `machine` (default mps2-an386) with `args` as its command line (semihosting; paths are
    relative to cwd). With `plugin` (a built insn_count.so), count the instructions executed
    between the markers; with `profile` too, count them per function (self counts). `icount`
    adds `-icount shift=0` (virtual time advances by executed instructions: SysTick and timers
    become deterministic; the plugin's counts are the same either way).
    Returns a QemuRun; the guest's exit status is the returncode."""
    require_tools("qemu-system-arm")
    elf = Path(elf).resolve()
    command = ["qemu-system-arm", "-M", machine] + QEMU_OPTIONS + (["-icount", "shift=0"] if icount else [])
    with tempfile.TemporaryDirectory(prefix="lkws-qemu-") as scratch:
        count_file = Path(scratch) / "insn_count.txt"
        profile_file = Path(scratch) / "profile.txt"
        if plugin is not None:
            begin, end = marker_addresses(elf)
            plugin_path = _check_argument(Path(plugin).resolve(), separator=",")
            plugin_args = f"{plugin_path},begin={begin:#x},end={end:#x},out={count_file}"
            if profile:
                functions = Path(scratch) / "functions.txt"
                _write_function_list(elf, functions)
                plugin_args += f",functions={functions},profile={profile_file}"
            command += ["-plugin", plugin_args]
        command += ["-kernel", _check_argument(elf), "-append",
                    " ".join(_check_argument(a) for a in args)]
        try:
            result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                                    stdin=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LossykwsError(f"{elf}: QEMU did not finish in {timeout} s") from None
        counts = []
        if count_file.exists():
            counts = [int(line) for line in count_file.read_text().split() if line.isdigit()]
        functions = _read_profile(profile_file) if profile_file.exists() else []
    return QemuRun(result.returncode, result.stdout, result.stderr, counts, functions)


def run_project(project_dir, inputs, out_dir, *, dump_dir=None, count=True, profile=False,
                op_counts=False, timeout=120, machine=BOARD):
    """Build a qemu-m4 project and run its harness once on `inputs` (raw tensor files, one per model
    input); with dump_dir, every tensor the model reports is written there as t<index>.bin.
    Returns {"status", "stdout" (its "label K NAME" line), "stderr", "outputs" (paths of
    output<i>.bin), "instructions" (per
    inference, or None), "profile" ({function: self instructions}, with profile=True, else None),
    "op_instructions" (with op_counts=True: instructions of each op in schedule order, each
    including the ~15 instructions of the observer call that delimits it; else None),
    "stack_bytes" (the stack in use at the deepest point of the model call, main's frame
    included), "sizes" ({text, data, bss})}. machine: the QEMU board (the project's target/
    board.mk must be that board's). Raises LossykwsError when QEMU fails to run
    the firmware (a fault, a harness error); a non-zero model status is returned, not raised."""
    elf = build_firmware(project_dir)
    plugin = build_plugin(project_dir) if count else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ["--outputs", out_dir.resolve(), "--stack"]
    if dump_dir is not None:
        Path(dump_dir).mkdir(parents=True, exist_ok=True)
        args += ["--dump", Path(dump_dir).resolve()]
    if op_counts and count:
        args.append("--op-counts")
    args += [Path(p).resolve() for p in inputs]
    run = run_qemu(elf, args, plugin=plugin, profile=profile and count, timeout=timeout, machine=machine)
    if run.returncode != 0 and not any(line.startswith(("error:", "usage:"))
                                       for line in run.stderr.splitlines()):
        # Not the harness speaking: QEMU itself refused (kernel, plugin, machine).
        lines = run.stderr.strip().splitlines()
        own = [line for line in lines if line.startswith("qemu-system-arm:")]
        message = (own or lines or ["no message"])[0]
        raise LossykwsError(f"{elf}: QEMU failed (exit {run.returncode}): {message}")
    if plugin is not None and not run.instructions:
        raise LossykwsError(f"{elf}: the instruction counter reported nothing "
                            "(lkws_marker_begin/end never ran?)")
    if run.returncode >= 64:
        message = run.stderr.strip().splitlines()
        raise LossykwsError(f"{elf}: the harness failed in QEMU (exit {run.returncode}): "
                            f"{message[-1] if message else 'no message'}")
    outputs = sorted(out_dir.glob("output*.bin"), key=lambda p: int(p.stem[len("output"):]))
    return {
        "status": run.returncode,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "outputs": [str(p) for p in outputs],
        "instructions": run.instructions[0] if run.instructions else None,
        "profile": run.profile[0] if run.profile else None,
        # brackets after the first: one per op, then the return from model_invoke
        "op_instructions": run.instructions[1:-1] if op_counts and count else None,
        "stack_bytes": _stack_bytes(run.stdout),
        "sizes": elf_sizes(elf),
    }


def _stack_bytes(stdout):
    for line in stdout.splitlines():
        if line.startswith("stack "):
            return int(line.split()[1])
    return None

"""Packaging: the C runtime (firmware/: kernels, front end, templates, board files, the QEMU plugin)
travels in the wheel as lossykws/firmware, where lossykws.c_runtime finds it. An editable install
reads the checkout's firmware/ instead. Everything else is in setup.cfg."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithRuntime(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "lossykws" / "firmware"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(__file__).resolve().parent / "firmware", target,
                        ignore=shutil.ignore_patterns("build", "*.o", "*.so", "*.elf", "__pycache__"))


setup(cmdclass={"build_py": BuildWithRuntime})

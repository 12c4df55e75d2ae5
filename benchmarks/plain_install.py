"""momentloop-synth installed the way the README's first command installs it: `pip install .` into
a virtual environment of its own, byte-compiled, with no editable finder on start-up (the test
command's `.venv` is an editable install, whose finder a user's process never imports).

Built offline: a wheel of this checkout's tracked files, installed into a new venv, and the synthesizer's two
dependencies (attrs, click) copied in from the running environment, then byte-compiled as pip
would have done.
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPENDENCIES = ("attrs", "click")


def _copy_distribution(name: str, site_packages: Path) -> None:
    """Every file of an installed distribution (its modules and its .dist-info) into `site_packages`."""
    dist = metadata.distribution(name)
    root = Path(str(dist.locate_file(""))).resolve()
    for file in dist.files or []:
        source = Path(str(dist.locate_file(file))).resolve()
        if not source.is_relative_to(root) or not source.is_file() or "__pycache__" in source.parts:
            continue  # console scripts outside site-packages, byte-code made again below
        destination = site_packages / source.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def _tracked_copy(destination: Path) -> Path:
    """The checkout's tracked files (a build leaves nothing in the checkout, as pip's own copy would)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True, text=True)
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, destination / name)
    return destination


def plain_install(root: Path) -> Path:
    """The `momentloop-synth` of a plain install made under `root`."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = root / "wheel"
    source = _tracked_copy(root / "source")
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)], check=True)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheel = next(wheels.glob("momentloop-*.whl"))
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], check=True)
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    site_packages = Path(found.stdout.strip())
    for name in DEPENDENCIES:
        _copy_distribution(name, site_packages)
    compileall.compile_dir(site_packages, quiet=1)
    return venv / "bin" / "momentloop-synth"

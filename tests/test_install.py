"""The wheel carries the default models: installed elsewhere, it scores without the source tree."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: builds offline with the setuptools and wheel of this environment
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (path,) = out.glob("misinfo-*.whl")
    return path


def test_wheel_contains_models_and_card(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for tier in ("fast", "accurate"):
        for f in ("metadata.json", "misinformation.npz", "sensational.npz"):
            assert f"misinfo/models/{tier}/{f}" in names
    assert "misinfo/models/MODEL_CARD.md" in names


def test_installed_wheel_scores_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = ("import misinfo, pathlib; s = misinfo.score('Sốc!!! Sự thật khiến ai cũng ngỡ ngàng'); "
            f"assert pathlib.Path(misinfo.__file__).is_relative_to({str(target)!r}); "
            "print(s.model_version, s.sensational)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    version, sensational = run.stdout.split()
    assert version.startswith("fast-") and 0 <= float(sensational) <= 1

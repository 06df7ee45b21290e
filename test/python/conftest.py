"""pytest setup for the tessera Python package tests.

Finds the repository from this file (<repo>/test/python/conftest.py) and the
build tree as $TESSERA_BUILD_DIR, else <repo>/build; puts <repo>/python on
sys.path so that `import tessera` picks up the package under test.

Fixtures: repo_root, build_dir, compiler (the tessera-compile under test),
fake_package_path (the hand-written package
built from test/Runtime/fake_package.c), fake_model (a loaded
tessera.Model of it, closed after the test).
"""

import os
import pathlib
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("TESSERA_BUILD_DIR")
                         or REPO_ROOT / "build").resolve()

sys.path.insert(0, str(REPO_ROOT / "python"))


def _require(path, what):
    if not path.exists():
        pytest.fail("%s is missing: %s (build it first, or set "
                    "TESSERA_BUILD_DIR)" % (what, path), pytrace=False)
    return path


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture(scope="session")
def build_dir():
    return BUILD_DIR


@pytest.fixture(scope="session")
def compiler(build_dir):
    """The tessera-compile under test: $TESSERA_COMPILE, else the build
    tree's."""
    path = os.environ.get("TESSERA_COMPILE") or str(
        build_dir / "bin" / "tessera-compile")
    if not os.access(path, os.X_OK):
        pytest.fail("tessera-compile is missing: %s (build it first, or set "
                    "TESSERA_BUILD_DIR)" % path, pytrace=False)
    return path


@pytest.fixture(scope="session")
def fake_package_path():
    return _require(BUILD_DIR / "test" / "Runtime" /
                    "libtessera_fake_package.so", "the fake package")


@pytest.fixture
def fake_model(fake_package_path):
    import tessera
    model = tessera.load(fake_package_path)
    yield model
    model.close()

# SPDX-License-Identifier: MIT
"""pytest glue for the QEMU tests: makes `from loupe_harness import boot`
work, registers the markers, and gives every test its own directory for
the ISOs and serial logs it produces (see loupe_harness.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loupe_harness  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "qemu: boots Loupe in QEMU")
    config.addinivalue_line("markers", "fault: a deliberate CPU exception and its panic report")


def pytest_report_header(config):
    kernel = loupe_harness.kernel_path()
    initrd = loupe_harness.default_initrd() if loupe_harness.have_initrd() else "none"
    return (f"loupe: kernel {kernel}, initrd {initrd}, "
            f"accel {loupe_harness._accel()}, timeout x{loupe_harness._timeout_scale()}")


@pytest.fixture(autouse=True)
def _boot_dir(tmp_path):
    """Each boot of this test gets tmp_path/bootN."""
    loupe_harness.set_tmp_root(tmp_path)
    yield
    loupe_harness.set_tmp_root(None)

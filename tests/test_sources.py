"""Checksummed acquisition: from a mirror, refusing bad hashes, missing files and dead URLs."""

from __future__ import annotations

import csv
import dataclasses
import shutil

import pytest

from scalingrepro.pipeline import paths
from scalingrepro.pipeline.errors import InputError, format_paragraph
from scalingrepro.pipeline.sources import acquire, load_manifest, resolve_mirror


@pytest.fixture(scope="module")
def manifest(repo_root):
    return load_manifest(repo_root / paths.SOURCES_MANIFEST)


def test_manifest_pins_every_input_with_url_commit_and_sha256(manifest):
    assert len(manifest) == 7
    for source in manifest.values():
        assert len(source.sha256) == 64 and int(source.sha256, 16) >= 0
        assert source.url.startswith("https://")
        assert any(len(part) == 40 and all(c in "0123456789abcdef" for c in part) for part in source.url.split("/")), source.url
        assert source.description


def test_manifest_agrees_with_the_mirror_listing(manifest, mirror):
    with open(mirror / "SOURCES.tsv") as handle:
        listed = {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}
    assert {s.file for s in manifest.values()} == set(listed)
    for source in manifest.values():
        assert listed[source.file]["sha256"] == source.sha256
        assert listed[source.file]["upstream_url"] == source.url


def test_acquires_from_mirror_and_verifies(manifest, mirror, tmp_path):
    source = manifest["epoch_runs"]
    fetched = acquire(source, tmp_path / source.file, mirror)
    assert fetched.read_bytes() == (mirror / source.file).read_bytes()


def test_wrong_checksum_is_refused_and_nothing_is_kept(manifest, mirror, tmp_path):
    source = dataclasses.replace(manifest["epoch_runs"], sha256="0" * 64)
    destination = tmp_path / "out" / source.file
    with pytest.raises(InputError) as raised:
        acquire(source, destination, mirror)
    message = format_paragraph(raised.value)
    assert source.file in message and "sha256" in message and "Fix:" in message
    assert not destination.exists()
    assert not any(destination.parent.iterdir()), "a temporary download was left behind"


def test_corrupted_mirror_file_is_refused(manifest, mirror, tmp_path):
    source = manifest["epoch_runs"]
    bad_mirror = tmp_path / "mirror"
    bad_mirror.mkdir()
    shutil.copy(mirror / source.file, bad_mirror / source.file)
    with open(bad_mirror / source.file, "a") as handle:
        handle.write("1,2,3\n")
    with pytest.raises(InputError, match="does not have the pinned sha256"):
        acquire(source, tmp_path / "out" / source.file, bad_mirror)
    assert not (tmp_path / "out" / source.file).exists()


def test_missing_mirror_file_names_file_and_fix(manifest, tmp_path):
    source = manifest["gsm8k_outcomes"]
    with pytest.raises(InputError) as raised:
        acquire(source, tmp_path / source.file, tmp_path)
    message = str(raised.value)
    assert source.file in message and "REPRO_MIRROR" in message and source.url in message


def test_unreachable_url_is_a_clear_error(manifest, tmp_path):
    # Port 9 (discard) on the loopback refuses connections at once: no traffic leaves the machine.
    source = dataclasses.replace(manifest["epoch_runs"], url="http://127.0.0.1:9/epoch.csv")
    with pytest.raises(InputError, match="could not be downloaded"):
        acquire(source, tmp_path / source.file, mirror=None)
    assert not (tmp_path / source.file).exists()


def test_mirror_resolution_prefers_config_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REPRO_MIRROR", str(tmp_path / "env"))
    assert resolve_mirror("") == (tmp_path / "env").resolve()
    assert resolve_mirror(str(tmp_path / "cfg")) == (tmp_path / "cfg").resolve()
    monkeypatch.delenv("REPRO_MIRROR")
    assert resolve_mirror("") is None

"""`make up` builds the workbench only when web/ changed (gridcase_cli.webstack)."""

import json
import os
import shutil
from pathlib import Path

import pytest

from gridcase_cli import webstack

pytestmark = pytest.mark.skipif(
    shutil.which("npm") is None and not os.environ.get("CI"), reason="npm is missing"
)


@pytest.fixture
def web(tmp_path: Path) -> Path:
    """A web/ of its own whose build writes dist/index.html and counts its runs."""
    web = tmp_path / "web"
    (web / "src").mkdir(parents=True)
    (web / "src" / "main.ts").write_text("export {}\n")
    build = "node -e \"const f=require('fs');f.mkdirSync('dist',{recursive:true});f.writeFileSync('dist/index.html','x');f.appendFileSync('../builds','.')\""
    package = {"name": "t", "version": "1.0.0", "private": True, "scripts": {"build": build}}
    (web / "package.json").write_text(json.dumps(package))
    lock = {
        "name": "t",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "t", "version": "1.0.0"}},
    }
    (web / "package-lock.json").write_text(json.dumps(lock))
    return web


def builds(web: Path) -> int:
    counter = web.parent / "builds"
    return len(counter.read_text()) if counter.exists() else 0


def test_an_unchanged_web_is_not_built_again(web: Path, tmp_path: Path) -> None:
    stamp = tmp_path / "stamp"

    first = webstack.build(web=web, stamp=stamp, say=None)
    second = webstack.build(web=web, stamp=stamp, say=None)

    assert (first, second) == (True, False)
    assert builds(web) == 1


def test_a_changed_source_is_built(web: Path, tmp_path: Path) -> None:
    stamp = tmp_path / "stamp"
    webstack.build(web=web, stamp=stamp, say=None)

    (web / "src" / "main.ts").write_text("export const changed = 1\n")

    assert webstack.build(web=web, stamp=stamp, say=None) is True
    assert builds(web) == 2


def test_the_build_output_and_installed_packages_are_not_sources(web: Path, tmp_path: Path) -> None:
    stamp = tmp_path / "stamp"
    webstack.build(web=web, stamp=stamp, say=None)

    (web / "node_modules" / "x.js").write_text("changed")
    (web / "dist" / "other.html").write_text("changed")

    assert webstack.build(web=web, stamp=stamp, say=None) is False


def test_a_deleted_build_is_built_again(web: Path, tmp_path: Path) -> None:
    stamp = tmp_path / "stamp"
    webstack.build(web=web, stamp=stamp, say=None)

    shutil.rmtree(web / "dist")

    assert webstack.build(web=web, stamp=stamp, say=None) is True


def test_a_failed_build_says_why(web: Path, tmp_path: Path) -> None:
    package = json.loads((web / "package.json").read_text())
    package["scripts"]["build"] = "node -e \"console.error('broken import'); process.exit(1)\""
    (web / "package.json").write_text(json.dumps(package))

    with pytest.raises(webstack.WebStackError, match="broken import"):
        webstack.build(web=web, stamp=tmp_path / "stamp", say=None)
    assert not (tmp_path / "stamp").exists()

"""The command line as a user runs it: defaults that follow the working
directory, one clear line and a documented exit status when there is no
usable index, and ``zhsearch search --json`` printing exactly the API's
answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from search.cli import exits

from conftest import ROOT, SEEDS

FEW_SEEDS = ["001_fa7baa90aaf98045.txt", "002_a069ebe764e74859.txt"]


def run(*args, cwd, env=None, pythonpath=None):
    extra, env = env or {}, dict(os.environ)
    env.pop("ZHSEARCH_INDEX", None)
    env.update(extra)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def workdir(tmp_path):
    """A folder of articles, as a user has: seeds/ with two of the seeds."""
    (tmp_path / "seeds").mkdir()
    for name in FEW_SEEDS:
        shutil.copy(SEEDS / name, tmp_path / "seeds" / name)
    return tmp_path


def test_defaults_are_seeds_and_index_in_the_working_directory(workdir):
    r = run("index", cwd=workdir)
    assert r.returncode == exits.OK, r.stderr
    assert (workdir / "index" / "zhsearch.json").exists()
    assert "articles: 2 added" in r.stdout
    found = run("search", "扶贫", "--json", cwd=workdir)
    assert found.returncode == exits.OK and json.loads(found.stdout)["total"] > 0
    assert not (ROOT / "search" / "index").exists()


def test_zhsearch_index_variable_names_the_index(workdir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    assert run("index", cwd=workdir, env={"ZHSEARCH_INDEX": str(elsewhere)}).returncode == exits.OK
    assert (elsewhere / "zhsearch.json").exists() and not (workdir / "index").exists()
    r = run("search", "扶贫", cwd=workdir, env={"ZHSEARCH_INDEX": str(elsewhere)})
    assert r.returncode == exits.OK and "paragraphs" in r.stdout


@pytest.mark.parametrize("command", [["search", "扶贫"], ["search", "扶贫", "--json"], ["serve", "--port", "1"],
                                     ["export", "--opensearch", "out"]])
def test_no_index_is_one_line_naming_the_folder_and_the_command(workdir, command):
    r = run(*command, cwd=workdir)
    assert r.returncode == exits.NO_INDEX
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert str(workdir / "index") in lines[0] and "zhsearch index" in lines[0]
    assert not (workdir / "index").exists()  # looking did not create it


def test_an_empty_index_says_so(workdir):
    (workdir / "empty").mkdir()
    assert run("index", "empty", cwd=workdir).returncode == exits.OK
    r = run("search", "扶贫", cwd=workdir)
    assert r.returncode == exits.NO_INDEX
    assert "is empty" in r.stderr and "zhsearch index" in r.stderr and "Traceback" not in r.stderr


def test_bad_parameters_are_usage_errors(workdir):
    assert run("index", cwd=workdir).returncode == exits.OK
    for args in (["--year", "19"], ["--measure", "nonsense"], ["--limit", "0"], ["--limit", "101"]):
        r = run("search", "扶贫", *args, cwd=workdir)
        assert r.returncode == exits.USAGE, args
        assert r.stderr.startswith("zhsearch: ") and "Traceback" not in r.stderr


def test_search_json_is_the_api_answer(seed_index, client):
    args = ["扶贫", "--province", "甘肃", "--source", "中国组织人事报", "--limit", "5", "--page", "2",
            "--sort", "date_desc"]
    r = run("search", *args, "--json", "--index", seed_index, cwd=ROOT)
    assert r.returncode == exits.OK, r.stderr
    cli = json.loads(r.stdout)
    api = client.get("/api/search", query_string=[("q", "扶贫"), ("province", "甘肃"), ("source", "中国组织人事报"),
                                                  ("size", "5"), ("page", "2"), ("sort", "date_desc")]).get_json()
    assert cli["total"] > 5 and cli["filters"] and cli["prev_url"]
    cli.pop("took_ms"), api.pop("took_ms")
    assert cli == api


def test_installed_package_works_in_a_folder_of_articles(workdir, tmp_path):
    """A plain (not editable) install: the wheel holds the data files and
    templates, and the installed command works on the folder it runs in."""
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("zhsearch-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("search/data/measures.tsv", "search/data/furniture.tsv", "search/data/gazetteer.tsv",
                   "search/data/synonyms.txt", "web/templates/search.html", "web/static/style.css",
                   "search/store/postings.py", "search/cli/exits.py"):
        assert needed in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=300)
    where = subprocess.run([sys.executable, "-c", "import search; print(search.__file__)"], cwd=workdir,
                           env={**os.environ, "PYTHONPATH": str(target)}, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    assert run("index", cwd=workdir, pythonpath=str(target)).returncode == exits.OK
    r = run("search", "扶贫车间", cwd=workdir, pythonpath=str(target))
    assert r.returncode == exits.OK and "paragraphs" in r.stdout
    assert not (target / "index").exists() and not (target / "search" / "index").exists()


def test_output_cut_short_by_a_pipe_is_not_an_error(seed_index):
    """``zhsearch search 扶贫 --json | head -2``: the reader stops (the answer is
    larger than a pipe holds); nothing blames the index."""
    proc = subprocess.Popen([sys.executable, "-m", "search", "search", "扶贫", "--limit", "100", "--json", "--index", seed_index],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == exits.OK
    assert "damaged" not in err and "could not be read" not in err and "Traceback" not in err

"""Ingestion on real pages no one here wrote (../shared/corpora/pages/),
against hand labels (tests/data/shared_pages_labels.json, read through
tests/corpora.py): the headline a reader sees, the date the page shows, the
publisher of its 来源 line, per origin folder.

The thresholds are ratchets: just under what ingestion reaches today on the
dev split, so a change that loses a page fails here.  Raise them as
ingestion improves; never lower them to make a change pass.  The heldout
split never sets a threshold (it is there to tell whether a fix for the dev
pages generalises); ``bench/ingest`` prints both splits.
"""

from __future__ import annotations

import pytest

import corpora

# origin folder -> field -> least share of the dev split's article pages right.
# A field missing here is not asserted yet (ingestion gets none of it right,
# and a threshold of 0 could not fail); add it when it first gets some.
THRESHOLDS = {
    "cx-extractor_money163": {"title": 0.98, "date": 0.10, "publisher": 0.12},
    "gne_GeneralNewsExtractor": {"title": 0.91, "date": 0.60, "publisher": 0.47},
    "govcn_policy_pages_2019": {"date": 0.25, "publisher": 0.97},
}


@pytest.fixture(scope="module")
def verdicts() -> list[corpora.Verdict]:
    pages = corpora.pages_dir_or_skip()
    out = []
    for path, label in corpora.load_labels().items():
        if label["split"] != "dev":
            continue
        articles, error = corpora.read_page(pages, path)
        out.append(corpora.judge(path, label, articles, error))
    return out


def _worst(verdicts: list[corpora.Verdict], name: str) -> str:
    wrong = [f"{v.path}: got {v.got[name]!r}" for v in verdicts if not v.right[name]]
    return "; ".join(wrong[:5])


@pytest.mark.parametrize("origin", sorted(THRESHOLDS))
def test_fields_right_per_origin(verdicts, origin):
    mine = [v for v in verdicts if v.origin == origin]
    assert mine, f"no dev labels for {origin}"
    got = corpora.shares(mine)
    for name, least in THRESHOLDS[origin].items():
        assert got[name] >= least, (f"{origin}: {name} right on {got[name]:.2f} of {got['n']} dev pages, "
                                    f"below {least}; wrong e.g. {_worst(mine, name)}")


def test_every_labelled_origin_has_a_threshold(verdicts):
    # a folder labelled but never asserted would let its pages regress unseen
    assert {v.origin for v in verdicts if v.kind == "article"} <= set(THRESHOLDS)


def test_article_pages_are_read_not_skipped(verdicts):
    # a page a person reads as an article must give an article, never "no text"
    # nor a skip as a list page
    lost = [f"{v.path} ({v.error or 'no article'})" for v in verdicts
            if v.kind == "article" and v.read_as_list]
    assert not lost, f"article pages that gave no article: {lost}"


def test_labels_are_hashes_not_page_text():
    # the repository keeps no page text: every label field is a digest, a date or a count
    for path, label in corpora.load_labels().items():
        assert label["kind"] in ("article", "list") and label["split"] in ("dev", "heldout"), path
        if label["kind"] == "list":
            continue
        for name in ("title", "issuer", "doc_number"):
            assert label[name] is None or len(label[name]) == 40, (path, name)
        assert all(len(h) == 40 for h in label["publisher"]), path
        assert label["date"] is None or len(label["date"]) == 10, path


def test_normalized_digest_folds_script_width_and_space():
    # the same headline in traditional script, full-width, or with spaces is one label ...
    assert corpora.digest("國務院 關於 ＡＢＣ") == corpora.digest("国务院关于ABC")
    # ... and a headline one character off is not
    assert corpora.digest("国务院关于ABC") != corpora.digest("国务院关于AB")
    assert corpora.digest("  ") is None and corpora.digest(None) is None

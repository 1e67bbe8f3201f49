"""``ranking.TextFacts`` works out a paragraph's enumerations one sentence
at a time, as the rules ask of the sentences holding the query's words
(speed7).  Its answers (is this occurrence an item of a list, or a mention
in passing of another kind? where do two items meet between these words,
and how close do the words stand outside them? does a sentence of a word
give a figure?) are those of the whole text worked out up front, as the ranking
did before: that implementation is kept here, word for word, as the
reference, and both are asked every stretch of generated texts built
from the marks and words the rules look for."""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right

from hypothesis import given, settings, strategies as st

from search.engine import ranking
from search.engine.ranking import (
    _NAME_AFTER, _PLACE_AFTER, ATTRIBUTE_ENDS, CLAUSE_MARKS, NAME_REACH, _by_piece, _CLAUSE_ENDS, _COMMA, _CONJUNCTION, _ETC, _ITEM_MARKS, _LIST_MARKS, _OPENING, _OPENS,
    _ORDINAL_CLAUSE, _QUOTED, _QUOTED_RUN, _SENTENCE_END, _TASK, CLAUSE_ITEM_CHARS, COMMA_CHARS, COMMA_ITEMS,
    ITEM_CHARS, LIST_ITEMS, LIST_MARK, ORDINALS)

EXAMPLES = 2_000 if os.environ.get("ZHSEARCH_FUZZ") == "long" else 200


def whole_text_facts(folded: str):
    """(items, meetings, sentence ends) of the whole text: the ranking's
    ``TextFacts.__init__`` of a798106, every flag on."""
    items: list[tuple[int, int]] = []
    bounds: list[int] = []
    sentence_ends = [m.start() for m in _SENTENCE_END.finditer(folded)]
    semicolons = [m.start() for m in _ITEM_MARKS.finditer(folded)] if (";" in folded or "；" in folded) else []
    for listing in (True, False):
        if listing:
            if LIST_MARK not in folded:
                continue
            at_all = [m.start() for m in _LIST_MARKS.finditer(folded)]
            cuts = [m.start() for m in _CLAUSE_ENDS.finditer(folded)]
        else:
            at_all, cuts = semicolons, sentence_ends
            if len(at_all) < LIST_ITEMS - 1:
                continue
        for k, at in _by_piece(at_all, cuts).items():
            if len(at) < LIST_ITEMS - 2:
                continue
            hi = cuts[k] if k < len(cuts) else len(folded)
            if len(at) < LIST_ITEMS - 1 and not (listing and _CONJUNCTION.search(folded, at[-1] + 1, hi)):
                if listing:
                    lo, mark = cuts[k - 1] + 1 if k else 0, at[0]
                    found = _ETC.search(folded, mark + 2, hi)
                    if found and found.start() - mark - 1 <= ITEM_CHARS:
                        etc = found.start()
                        n = etc - mark - 1
                        items += [(max(mark - n - 2, lo), mark), (mark + 1, etc)]
                        bounds.append(mark)
                continue
            lo = cuts[k - 1] + 1 if k else 0
            bounds += at
            a = lo - 1
            for b in at:
                if b - a - 1 <= (ITEM_CHARS if listing else CLAUSE_ITEM_CHARS):
                    items.append((a + 1, b))
                a = b
            if hi - a - 1 <= (ITEM_CHARS if listing else CLAUSE_ITEM_CHARS):
                items.append((a + 1, hi))
    if folded.count(",") + folded.count("，") >= COMMA_ITEMS:
        commas = [c.start() for c in _COMMA.finditer(folded)]
        ends = sorted(sentence_ends + semicolons) if semicolons else sentence_ends
        for k, at in _by_piece(commas, ends).items():
            if len(at) < COMMA_ITEMS:
                continue
            edges = at + [ends[k] if k < len(ends) else len(folded)]
            clauses = list(zip(edges, edges[1:]))
            if (all(b - a - 1 <= COMMA_CHARS for a, b in clauses)
                    and 2 * sum(bool(_TASK.match(folded, a + 1)) for a, _ in clauses) >= len(clauses)):
                items += [(a + 1, b) for a, b in clauses]
    openings = []
    kinds: dict[str, int] = {}
    for k, start in enumerate([0] + [e + 1 for e in sentence_ends]):
        if folded[start:start + 1] in _OPENS:
            o = _OPENING.match(folded, start)
            if o:
                kind = "ordinal" if o.group(1) in ORDINALS else o.group(1)
                openings.append((start, k, kind))
                kinds[kind] = kinds.get(kind, 0) + 1
    for start, k, kind in openings:
        if kinds[kind] >= (2 if kind == "ordinal" else LIST_ITEMS):
            items.append((start, sentence_ends[k] if k < len(sentence_ends) else len(folded)))
    if "”“" in folded:
        for run in _QUOTED_RUN.finditer(folded):
            for q in _QUOTED.finditer(folded, run.start(), run.end()):
                items.append((q.start(), q.end()))
                bounds.append(q.end())
    if "二是" in folded:
        by_sentence: dict[int, list[int]] = {}
        for o in _ORDINAL_CLAUSE.finditer(folded):
            by_sentence.setdefault(bisect_left(sentence_ends, o.start(1)), []).append(o.start(1))
        for k, at in by_sentence.items():
            if len(at) >= 2:
                end = sentence_ends[k] if k < len(sentence_ends) else len(folded)
                items += [(a, b - 1 if b != end else b) for a, b in zip(at, at[1:] + [end])]
    return sorted(items), sorted(bounds), sentence_ends


def listed(items, s, e):
    k = bisect_right([lo for lo, _ in items], s)
    return any(items[j][1] >= e for j in range(k))


def crosses(bounds, s, e):
    k = bisect_left(bounds, s)
    return k < len(bounds) and bounds[k] < e


def clause_proximity(bounds, per_unit):
    """``clause_proximity`` of a798106, the meetings those of the whole text."""
    if len(per_unit) < 2 or any(not s for s in per_unit):
        return 0.0
    if not bounds or not crosses(bounds, min(sp[0][0] for sp in per_unit), max(e for sp in per_unit for _, e in sp)):
        return ranking.spans_proximity(per_unit)
    total = sum(min(e - s for s, e in spans) for spans in per_unit)
    events = sorted((s, e, k) for k, spans in enumerate(per_unit) for s, e in spans)
    ends = [e for _, e, _ in events]
    need, best = len(per_unit), None
    count: dict = {}
    j, n = 0, len(events)
    for i in range(n):
        while len(count) < need and j < n:
            k = events[j][2]
            count[k] = count.get(k, 0) + 1
            j += 1
        if len(count) < need:
            break
        start, end = events[i][0], max(ends[i:j])
        if not crosses(bounds, start, end):
            if end - start <= total:
                return 1.0
            best = end - start if best is None else min(best, end - start)
        k = events[i][2]
        count[k] -= 1
        if not count[k]:
            del count[k]
    if not best:
        return 0.0
    return min(1.0, total / best)


def spans(folded, word):
    out, i = [], folded.find(word)
    while i >= 0:
        out.append((i, i + len(word)))
        i = folded.find(word, i + len(word))
    return out


def kind(folded, items, s, e):
    """``_passing_kind`` of a798106, its items those of the whole text."""
    if folded.startswith(ATTRIBUTE_ENDS, e) or _PLACE_AFTER.match(folded, e):
        return "attribute"
    if listed(items, s, e):
        return "list"
    opened = folded.rfind("《", 0, s)
    if opened >= 0 and folded.find("》", opened, s) < 0 and not CLAUSE_MARKS.intersection(folded[opened:s]):
        return None
    return "name" if _NAME_AFTER.match(folded, e, e + NAME_REACH + 4) else None


def figures(folded, ends, per_word):
    at = [m.start() for m in re.finditer(r"\d+", folded)]
    for spans in per_word:
        for s, e in spans:
            k = bisect_left(ends, s)
            lo = ends[k - 1] + 1 if k else 0
            j = bisect_left(ends, e)
            hi = ends[j] if j < len(ends) else len(folded)
            d = bisect_left(at, lo)
            if d < len(at) and at[d] < hi:
                return True
    return False


# what the rules look for: every mark, list words (等, 和, 一是, 要 ...), quotes, digits, filler
PIECES = ["、", "，", ",", "。", "；", ";", "：", "！", "?", "\n", "等", "和", "高等", "“", "”", "一是", "二是",
          "第一", "要", "坚持", "推进", "加强", "把", "扶贫", "产业", "就业", "会议", "大省", "县", "7", "2019",
          "年", "的", "工作", "全面", "　", "增长6%", "农民工", "《", "》", "省", "省委", "大会"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
# long runs of short items and commas, where the rules' lengths (ITEM_CHARS, COMMA_CHARS) matter
runs = st.lists(st.tuples(st.sampled_from(["、", "，", "；", "。", "等", "和"]),
                          st.integers(0, 35), st.sampled_from(["要", "扶贫", "推进", "“就业”"])),
                max_size=14).map(lambda parts: "".join(m + "字" * n + w for m, n, w in parts))


def check(folded: str) -> None:
    items, bounds, ends = whole_text_facts(folded)
    facts = ranking.TextFacts(folded)
    n = len(folded)
    for s in range(n):
        for e in range(s + 1, min(n, s + 8) + 1):
            assert facts.listed(s, e) == listed(items, s, e), (folded, s, e)
    fresh = ranking.TextFacts(folded)  # meetings asked before any item: nothing worked out yet
    for s in range(n + 1):
        for e in range(s, n + 2):
            inside = [b for b in bounds if s <= b < e]
            assert fresh.meetings(s, e) == inside, (folded, s, e)
            assert facts.meetings(s, e) == inside, (folded, s, e)
    assert facts.ends == ends
    for words in (["扶贫", "产业"], ["扶贫", "就业", "工作"], ["字", "扶贫"], ["推进", "就业"]):
        per_unit = [spans(folded, w) for w in words]
        assert ranking.clause_proximity(ranking.TextFacts(folded), per_unit) == clause_proximity(bounds, per_unit), folded
    for s in range(n):
        for e in range(s + 1, min(n, s + 4) + 1):
            assert ranking.passing_kind(facts, s, e) == kind(folded, items, s, e), (folded, s, e)
    for s in range(n):
        per_word = [[(s, min(n, s + 2))]]
        assert ranking.figures(ranking.TextFacts(folded), per_word) == figures(folded, ends, per_word), (folded, s)


@settings(max_examples=EXAMPLES, deadline=None)
@given(folded=texts)
def test_sentence_by_sentence_agrees_with_the_whole_text(folded):
    check(folded)


@settings(max_examples=EXAMPLES, deadline=None)
@given(folded=runs)
def test_runs_of_items_agree_with_the_whole_text(folded):
    check(folded)


def test_each_kind_of_list_is_found_and_its_near_miss_is_not():
    for folded, word, listed_there in [
        ("今年做好产业扶贫、就业扶贫、健康扶贫等工作。", "健康扶贫", True),
        ("今年健康扶贫、教育扶贫两项工作进展顺利。", "健康扶贫", False),
        ("要抓产业。要抓就业。要抓教育扶贫。", "教育扶贫", True),
        ("要抓产业。要抓就业。抓教育扶贫。", "教育扶贫", False),
        ("一是抓产业，二是抓教育扶贫。", "教育扶贫", True),
        ("他是第一书记，抓教育扶贫。", "教育扶贫", False),
        ("内蒙古采取“电商扶贫”“产业扶贫”等办法。", "电商扶贫", True),
        ("内蒙古推进“电商扶贫”“产业扶贫”两项工作。", "电商扶贫", False),
        # a speech's run of tasks after its first clause (the near miss: a story's run of short clauses)
        ("坚持政府主导，深化协作，动员参与，加强监督，推进改革。", "动员参与", True),
        ("赣州瞄准市场，引入企业，形成合作社，带动农户，增加收入。", "带动农户", False),
        ("坚持政府主导,深化协作，动员参与,加强监督，推进改革。", "动员参与", True),
        ("坚持政府主导，深化协作，动员参与，加强监督，推进改革和完善制度建设并且全面落实各项政策措施。", "动员参与", False),
        # not lists: a name (the near miss: a document's title) and an attribute (the near miss: 县城)
        ("他出席全国扶贫工作会议。", "扶贫", False),
        ("他学习《全国扶贫工作会议纪要》。", "扶贫", False),
        ("河南是劳务输出大省。", "劳务输出", False),
        ("劳务输出县城很热闹。", "劳务输出", False),
    ]:
        check(folded)
        at = folded.index(word)
        assert ranking.TextFacts(folded).listed(at, at + len(word)) is listed_there, folded


# ``boost_bonuses`` reads each unit's and word's spans from the leaves' by number
# (``ranking._spans_plan``, walked once per query): the same as each node's
# ``unit_spans`` over the leaves' spans by node, on generated query trees and texts
from search.query.nodes import TEXT, TITLE, AllOf, AnyOf, InField, Literal, Phrase, Token  # noqa: E402

WORDS = ["扶贫", "产业", "产业扶贫", "就业", "贫困", "劳动力", "ab"]


def _leaf(word):
    return Token(word) if word.isascii() else Literal(word)


nodes_tree = st.recursive(
    st.sampled_from(WORDS).map(_leaf),
    lambda inner: st.one_of(
        st.tuples(st.lists(inner, min_size=1, max_size=3), st.sampled_from(["", "产业扶贫", "贫困劳动力"])).map(
            lambda t: AllOf(tuple(t[0]), t[1])),
        st.lists(inner, min_size=1, max_size=3).map(lambda o: AnyOf(tuple(o), True, "扶贫")),
        st.lists(inner, min_size=1, max_size=3).map(lambda p: Phrase("".join(map(str, p)), tuple(p))),
        st.tuples(st.sampled_from([TEXT, TITLE]), inner).map(lambda t: InField(t[0], t[1]))),
    max_leaves=6)
spaced = st.lists(st.sampled_from(WORDS + ["，", "、", "的", " "]), max_size=30).map("".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(must=st.lists(nodes_tree, min_size=1, max_size=3), folded=spaced, drop=st.integers(0, 3))
def test_spans_read_by_number_are_those_of_the_nodes(must, folded, drop):
    leaves: list = []
    for n in must:
        n.leaves(leaves)
    located = ranking._located(must, leaves[drop:])  # a leaf not located has no spans
    per_leaf = [leaf.spans(folded) for leaf in located]
    spans_of = dict(zip(located, per_leaf))
    number = {leaf: i for i, leaf in enumerate(located)}
    for node in must + ranking.proximity_groups(type("Q", (), {"must": must})()):
        plan = ranking._spans_plan(node, number)
        assert plan is not None
        got = (per_leaf[plan] if plan >= 0 else []) if type(plan) is int else plan(per_leaf)
        assert got == node.unit_spans(spans_of), (node, folded)


def test_a_whole_word_standing_is_read_before_its_pieces():
    word = AllOf((Literal("产业"), Literal("扶贫")), "产业扶贫")
    located = ranking._located([word], [Literal("产业"), Literal("扶贫")])
    number = {leaf: i for i, leaf in enumerate(located)}
    plan = ranking._spans_plan(word, number)
    whole, apart = "抓产业扶贫", "抓产业促扶贫"
    assert plan([leaf.spans(whole) for leaf in located]) == [(1, 5)]
    assert plan([leaf.spans(apart) for leaf in located]) == [(1, 3), (4, 6)]

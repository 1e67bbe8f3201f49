"""Province labels for articles and paragraphs, inferred from place names.

A paragraph's province is the mainland province whose poverty-alleviation
work it reports.  Place names at every level (甘肃, 临夏州, 积石山县, 雅安...)
are looked up in ``data/gazetteer.tsv``; the rules that make this robust live
in data files too:

* ``place_stoplist.txt``: forms that are never places (合作, 共和, 东方...);
* ``place_aliases.tsv``:  extra names (陇原 for Gansu, 天府新区, 闽宁镇...);
* ``place_pairs.tsv``:    cooperation pairs of abbreviations (闽宁, 苏陕...):
  they mark a paragraph as one about partners and give it no province;
* ``place_regions.tsv``:  named regions of whole provinces (京津冀, 长三角):
  one place whose provinces come together or not at all;
* ``place_context.txt``:  words marking partner regions and workers'
  destinations (对口, 务工...), what after a name makes it the home of an
  outside company or employer (浙江一家企业, 宁波的工厂), and what after a
  bare name makes it a village or a street (共和村, 中山路).

Evidence is *strong* (a province, a city, a suffixed county: 临夏州, 洋县) or
*weak* (a bare county name such as 南部 or 仪陇, a name shared by several
provinces, a destination, or an outside employer's or investor's home).  Weak evidence only confirms a province that the article or the
paragraph already names.  A paragraph that names nothing takes its article's
province.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from search.datafiles import data_path

PROVINCES = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江",
    "上海", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南",
    "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾",
    "香港", "澳门",
]
MAINLAND = frozenset(PROVINCES[:31])

LEVEL_WEIGHT = {"province": 3.0, "region": 3.0, "city": 2.0, "county": 1.5, "pair": 0.0}
WEAK_WEIGHT = 0.5
SPAM_PROVINCES = 6         # a line naming this many provinces names none
SPAM_BARS = 3              # 绍兴县| 嘉禾县| 永州市| ...
TITLE_CLOSE_RATIO = 1.5    # body provinces closer than this are both kept
BOUNDARY_WINDOW = 6        # characters around a bare name given to jieba

_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]+\)")


@dataclass(frozen=True)
class Place:
    """A written place name and what it tells."""

    name: str
    level: str
    provinces: tuple[str, ...]
    weak: bool
    bare: bool   # no suffix: 南部, 乐山 (as against 南部县, 乐山市)

    @property
    def weight(self) -> float:
        return WEAK_WEIGHT if self.weak else LEVEL_WEIGHT[self.level]


@dataclass(frozen=True)
class Mention:
    place: Place
    start: int


@dataclass
class Evidence:
    """What one text says about provinces."""

    strong: Counter = field(default_factory=Counter)
    weak: Counter = field(default_factory=Counter)
    elsewhere: Counter = field(default_factory=Counter)  # destinations, partners,
    #                              homes of outside employers: 到厦门, 浙江一家企业
    partner: bool = False        # mentions partners or destinations
    regions: Counter = field(default_factory=Counter)  # (北京, 天津, 河北) for 京津冀

    def sure(self) -> Counter:
        """Strong scores, each region's given to all its provinces."""
        scores = Counter(self.strong)
        for region, score in self.regions.items():
            for province in region:
                scores[province] += score
        return scores

    def own(self, article: list[str]) -> Counter:
        """Strong scores, plus weak ones that agree with what is named."""
        scores = self.sure()
        for province, score in (self.weak + self.elsewhere).items():
            if province in scores or province in article:
                scores[province] += score
        return scores

    def units(self) -> Counter:
        """Scores towards the article's province by place: a province as
        ``(province,)``, a region as the tuple of its provinces."""
        scores = Counter({(p,): s for p, s in self.overall().items()})
        scores.update(self.regions)
        return scores

    def overall(self) -> Counter:
        """Scores towards the article's province: destinations, partners
        and outside employers do not tell where the story is."""
        scores = Counter(self.strong)
        for province, score in self.weak.items():
            scores[province] += score / 2
        return scores


# ---------------------------------------------------------------- data files


def _data_lines(name: str) -> list[str]:
    """Non-blank lines of a data file, comments removed."""
    lines = []
    for line in data_path(name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def _sections(name: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("", [])
    for line in _data_lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return sections


def _gazetteer_rows() -> list[tuple[str, str, str, str]]:
    """(name, level, province, form) for the gazetteer and the aliases."""
    rows = []
    for line in _data_lines("gazetteer.tsv"):
        name, level, province, _adcode, form = line.split("\t")
        rows.append((name, level, province, form))
    for line in _data_lines("place_aliases.tsv"):
        name, level, province = line.split("\t")[:3]
        rows.append((name, level, province, "full"))
    return rows


def _resolve(name: str, entries: list[tuple[str, str, str]]) -> Place:
    """One Place for a name that may stand for several divisions: the
    highest level wins; a name left shared by provinces, or a bare county
    name, is weak."""
    rank = {"province": 0, "city": 1, "county": 2}
    top = min(rank[level] for level, _, _ in entries)
    best = [(lvl, prov, form) for lvl, prov, form in entries if rank[lvl] == top]
    provinces = tuple(sorted({prov for _, prov, _ in best}, key=PROVINCES.index))
    level = best[0][0]
    bare = any(form == "bare" for _, _, form in best)
    weak = len(provinces) > 1 or (level == "county" and bare)
    return Place(name, level, provinces, weak, bare)


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, Place]
    lengths: dict[str, tuple[int, ...]]
    partner: re.Pattern
    not_after: tuple[str, ...]
    destination_before: tuple[str, ...]
    employer_after: re.Pattern
    desk_dateline: re.Pattern  # 新华社北京3月1日电: group 1 is the desk's 北京
    openers: re.Pattern  # the characters a name opens with (919 of them)

    def mentions(self, folded: str) -> list[Mention]:
        """Place names left to right, the longest at each position."""
        lengths, places, found, end = self.lengths, self.places, [], 0
        # Only positions where some name opens are tried: the characters a
        # name opens with found by a regular expression (in C, half the time
        # of trying every pair of characters), then a few dictionary look-ups.
        at = [m.start() for m in self.openers.finditer(folded, 0, len(folded) - 1)]
        for i in [i for i in at if folded[i:i + 2] in lengths]:
            if i < end:
                continue
            for length in lengths[folded[i:i + 2]]:
                place = places.get(folded[i:i + length])
                if place:
                    if not place.bare or self._stands_alone(folded, i, i + length):
                        found.append(Mention(place, i))
                        end = i + length
                    else:
                        city = self._its_city_after(folded, i + length, place)
                        if city:  # 广西南宁: jieba reads 西南 across the two names
                            found += [Mention(place, i), Mention(city, i + length)]
                            end = i + length + len(city.name)
                    break
        return found

    def _its_city_after(self, folded: str, at: int, province: Place) -> Place | None:
        """The city of ``province`` named right after it (广西南宁, 江西南昌),
        the two run together the way a dateline writes them."""
        if province.level != "province":
            return None
        for length in self.lengths.get(folded[at:at + 2], ()):
            city = self.places.get(folded[at:at + length])
            if city:
                if city.level != "province" and city.provinces == province.provinces:
                    return city
                return None
        return None

    def _stands_alone(self, folded: str, start: int, end: int) -> bool:
        """A bare name is a place only where it is not a village or street
        (共和村, 中山路) and does not straddle words (确保定向: 保定)."""
        if folded.startswith(self.not_after, end):
            return False
        return _on_word_boundaries(folded, start, end)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    stop = set(_data_lines("place_stoplist.txt"))
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for name, level, province, form in _gazetteer_rows():
        if name not in stop and len(name) >= 2:
            entries.setdefault(name, []).append((level, province, form))
    places = {name: _resolve(name, e) for name, e in entries.items()}
    for line in _data_lines("place_pairs.tsv"):
        pair, first, second = line.split("\t")[:3]
        places.setdefault(pair, Place(pair, "pair", (first, second), True, False))
    for line in _data_lines("place_regions.tsv"):
        name, members = line.split("\t")[:2]
        provinces = tuple(sorted(members.split(), key=PROVINCES.index))
        places[name] = Place(name, "region", provinces, False, False)
    context = _sections("place_context.txt")
    for word in context.get("not-places", []):  # 北京时间: read whole, it names no province
        places[word] = Place(word, "none", (), False, False)
    lengths = _lengths_by_opening(places)
    return Gazetteer(
        places=places,
        lengths=lengths,
        openers=re.compile("[%s]" % "".join(sorted({re.escape(pair[0]) for pair in lengths}))),
        partner=re.compile("|".join(map(re.escape, context["partner"]))),
        not_after=tuple(context["not-after"]),
        destination_before=tuple(context["destination-before"]),
        employer_after=re.compile("(?:%s){0,2}(?:%s)" % (
            _alternation(context["employer-gap"]), _alternation(context["employer-after"]))),
        desk_dateline=re.compile(r"(?:%s)\s?(北京)\s?(?:\d{1,2}月\d{1,2}日)?\s?(?:电|消息|讯)" % (
            _alternation(context["national-outlets"]))),
    )


def _alternation(words: list[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


def _on_word_boundaries(folded: str, start: int, end: int) -> bool:
    from search.text.analysis import IS_CJK, cut_words

    # Between non-CJK characters (punctuation, digits, the text's edges) a
    # name is a run of its own and jieba can only agree: skip the cut.
    if not (start and IS_CJK.match(folded, start - 1)) and not IS_CJK.match(folded, end):
        return True
    offset = max(0, start - BOUNDARY_WINDOW)
    window = folded[offset:end + BOUNDARY_WINDOW]
    edges = {0, len(window)}
    for _word, s, e in cut_words(window):
        edges.update((s, e))
    return start - offset in edges and end - offset in edges


def _lengths_by_opening(names) -> dict[str, tuple[int, ...]]:
    """For each opening pair of characters, the lengths of the names that
    start with it, longest first (积石山县 is tried before 积石山)."""
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[:2], set()).add(len(name))
    return {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}


# ------------------------------------------------------------------ evidence


def _for_matching(text: str) -> str:
    from search.text.analysis import fold  # imported late: tools/ need no jieba

    folded = fold(text)
    return _PINYIN.sub("", folded) if "(" in folded else folded


def _is_elsewhere(gaz: Gazetteer, folded: str, mention: Mention, listed_after: bool) -> bool:
    """Is a name a place one goes to or works with (去厦门, 到江苏省务工,
    与香格里拉市、德钦县合作), or the home of an outside company, investor or
    employer (浙江一家企业投资, 宁波的工厂), rather than where the work is done?"""
    start, end = mention.start, mention.start + len(mention.place.name)
    return (listed_after
            or folded[max(0, start - 2):start].endswith(gaz.destination_before)
            or gaz.employer_after.match(folded, end) is not None)


def is_place_list(text: str) -> bool:
    """The search-engine spam line: 绍兴县| 嘉禾县| 永州市| ..."""
    return text.count("|") >= SPAM_BARS


def evidence(text: str | None) -> Evidence:
    """What a title, a source or a paragraph says about provinces."""
    found = Evidence()
    if not text or is_place_list(text):
        return found
    folded = _for_matching(text)
    gaz = gazetteer()
    mentions = []
    desk = {m.start(1) for m in gaz.desk_dateline.finditer(folded)}
    for mention in gaz.mentions(folded):
        if mention.start in desk:  # where a national outlet filed from, not the story's place
            continue
        if mention.place.level == "pair":     # 闽宁协作: partners, neither province
            found.partner = True
        elif MAINLAND.intersection(mention.place.provinces):
            mentions.append(mention)
    for mention, elsewhere in zip(mentions, _elsewhere_flags(gaz, folded, mentions)):
        place = mention.place
        if place.level == "region" and not elsewhere:
            found.regions[place.provinces] += place.weight
            continue
        target = found.elsewhere if elsewhere else found.weak if place.weak else found.strong
        for province in place.provinces:
            target[province] += place.weight
    if len(set(found.sure()) | set(found.weak) | set(found.elsewhere)) >= SPAM_PROVINCES:
        return Evidence()
    found.partner = found.partner or bool(gaz.partner.search(folded))
    return found


def _elsewhere_flags(gaz: Gazetteer, folded: str, mentions: list[Mention]) -> list[bool]:
    """For each mention, is it a destination, partner or outside employer's
    home?  A name listed right after such a name is one too (去香格里拉市、
    德钦县), and so are names right before an employer's home (浙江省宁波市的
    企业, 浙江、福建等地的企业)."""
    flags = []
    for k, mention in enumerate(mentions):
        listed_after = bool(k and flags[-1] and _adjacent(mentions[k - 1], mention))
        flags.append(_is_elsewhere(gaz, folded, mention, listed_after))
    for k in range(len(mentions) - 1, 0, -1):
        mention = mentions[k]
        if flags[k] and _adjacent(mentions[k - 1], mention) and gaz.employer_after.match(
                folded, mention.start + len(mention.place.name)):
            flags[k - 1] = True
    return flags


def _adjacent(before: Mention, after: Mention) -> bool:
    return after.start - (before.start + len(before.place.name)) <= 1


# ----------------------------------------------------------------- inference


def _ranked(scores: Counter) -> list[str]:
    return sorted(scores, key=lambda p: (-scores[p], PROVINCES.index(p)))


def _ranked_units(scores: Counter) -> list[tuple[str, ...]]:
    return sorted(scores, key=lambda u: (-scores[u], len(u), PROVINCES.index(u[0])))


def _dominant(units: Counter) -> list[str]:
    """The place that dominates, or two that share the story, as
    provinces: a region gives all of its own (京津冀: 北京, 天津, 河北);
    two regions sharing a story that way would give too many, and give none."""
    ranked = _ranked_units(+units)
    if len(ranked) >= 2:
        first, second = units[ranked[0]], units[ranked[1]]
        if first >= TITLE_CLOSE_RATIO * second:
            ranked = ranked[:1]
        elif (first + second) >= 0.7 * sum(units.values()):
            ranked = ranked[:2]
        else:
            return []
    provinces = list(dict.fromkeys(p for unit in ranked for p in unit))
    return provinces if len(provinces) < SPAM_PROVINCES else []


def article_provinces(title: Evidence, body: list[Evidence],
                      source: Evidence) -> list[str]:
    """The title's province; else the body's dominant one (by level and
    frequency); the publication's province only when the text names none
    (a site's name never outweighs what its article names)."""
    units: Counter = Counter()
    for paragraph in body:
        units.update(paragraph.units())
    totals: Counter = Counter()  # by province, regions counted for each of theirs
    for unit, score in units.items():
        for province in unit:
            totals[province] += score
    if title.strong:
        return [max(title.strong, key=lambda p: (title.strong[p], totals[p]))]
    in_title = _dominant(title.regions)  # a province the title names wins over its region
    if in_title:
        return in_title
    confirmed = Counter({p: s for p, s in title.weak.items() if totals[p]})
    if confirmed:
        return _ranked(confirmed)[:1]
    # a bare county name (民乐 in 嘻哈、摇滚、民乐, 磐石 in a hymn) only confirms
    # a province named for sure somewhere in the text; alone it names none
    named = {p for paragraph in body for p in paragraph.sure()}
    units = Counter({u: s for u, s in units.items() if all(p in named for p in u)})
    if not +units:  # the site's name, as sure as it says it: no bare county name
        units.update({(p,): score for p, score in source.strong.items()})
        units.update(source.regions)
    return _dominant(units)


def paragraph_provinces(paragraph: Evidence, article: list[str]) -> list[str]:
    """The paragraph's own province(s); its article's when it names none or
    only names partners and destinations."""
    own = +paragraph.own(article)
    if not own:
        return list(article)
    shared = [p for p in article if p in own]
    if shared:
        return shared
    if article and not _reports_elsewhere(paragraph, own):
        return list(article)
    best = _ranked(own)
    top = [p for p in best if own[p] == own[best[0]]]
    if any(set(region) == set(top) for region in paragraph.regions):
        return top  # 京津冀 alone: its three provinces
    return top[:2]


def _reports_elsewhere(paragraph: Evidence, own: Counter) -> bool:
    """Does a paragraph naming only other provinces report their work?  It
    does when it names one for sure (a province, a city, a suffixed county)
    and no partner: what a paragraph names labels it before its article's
    title or heading does."""
    if paragraph.partner:
        return False
    return bool(paragraph.sure()[_ranked(own)[0]])


def label_provinces(title: str, paragraphs: list[str], source: str | None = None
                    ) -> tuple[list[str], list[list[str]]]:
    """Return (the article's provinces, one province list per paragraph)."""
    body = [evidence(text) for text in paragraphs]
    article = article_provinces(evidence(title), body, evidence(source))
    return article, [paragraph_provinces(p, article) for p in body]

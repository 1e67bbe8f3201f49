"""HTML pages to a raw record.

The page is parsed once by lxml.  Our reading walks the tree: visible text
with block structure kept as lines; script, style and forms dropped; page
furniture (nav/aside, header/footer outside the article, elements whose
class or id furniture.tsv names, lines that are mostly link text) kept apart.
trafilatura (``_main_text``) then chooses the article's text; our furniture
is taken out of its choice and our whole lines stand for it
(``choose_body``).  Ours alone: the headline (``<h1>``, a title element,
og:title or ``<title>`` without the site name), a policy document's
information table (``policy_table``: title, 成文日期, issuer, document
number), the date and publisher of the byline by the headline, then meta
tags, then the page's address, and whether the page is a list of links
(``ListPage``)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import set_date_params

from search.ingest import structure
from search.ingest.structure import iso_date
from search.ingest.clean import is_furniture_element
from search.ingest.record import RawRecord
from search.text.analysis import fold

# markers around link text inside the collected text; removed in ``text()``
_LINK_OPEN, _LINK_CLOSE = "\x01", "\x02"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
         "meta", "param", "source", "track", "wbr"}
LINK_DENSE = 0.6  # a line whose text is at least this share of link text is navigation
LINK_DENSE_MIN_CHARS = 2
# ...unless it says this many Chinese characters of its own: a sentence whose
# references are links (背诵经文：<a>(19)罗12:2</a>；<a>(20)腓2:13</a>) is text
LINK_DENSE_OWN_WORDS = 15
_HAN = re.compile(r"[\u3400-\u9fff]")


class _TextExtractor:
    """Collects visible text, one line per block element.

    Dropped: non-text elements (script, style...), page furniture by tag
    (nav, aside; header and footer outside the article) and by class or id
    (``element`` rules in furniture.tsv: nav, menu, breadcrumb, share...).
    Furniture text is kept apart (``furniture``) so it can be listed as
    skipped."""

    SKIP = {"script", "style", "noscript", "template", "iframe", "svg",
            "form", "select", "button", "head", "object"}
    FURNITURE = {"nav", "aside"}
    FURNITURE_OUTSIDE_ARTICLE = {"header", "footer"}
    ARTICLE = {"article", "main"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table",
             "section", "article", "header", "footer", "aside", "main", "nav",
             "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "dl",
             "blockquote", "pre", "hr", "figure", "figcaption", "center"}
    CAPTURED = ("title", "h1", "h2", "h3", "classed_title")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.visible_parts: list[str] = []  # content and furniture, in page order
        self.furniture_parts: list[str] = []
        # open elements being skipped: [tag, nesting of that tag, furniture?]
        self.skipping: list[list] = []
        self.article_depth = 0
        self.in_title = False
        self.open_captures: list[list] = []  # [kind, tag, nesting, index]
        self.captured: dict[str, list[str]] = {k: [] for k in self.CAPTURED}
        self.meta: dict[str, str] = {}
        self.pre_depth = 0  # inside <pre> or <textarea>, whose line breaks show

    # -- element bookkeeping

    def _skip_reason(self, tag: str, attrs) -> str | None:
        if tag in self.SKIP:
            return "hidden"
        if tag in self.FURNITURE:
            return "furniture"
        if tag in self.FURNITURE_OUTSIDE_ARTICLE and not self.article_depth:
            return "furniture"
        names = " ".join(v for k, v in attrs if k in ("class", "id") and v)
        # <body class="u-has-nav-bar">: a page's state, not a furniture element
        if names and tag not in ("html", "body") and is_furniture_element(names):
            return "furniture"
        return None

    def _furniture_now(self) -> bool:
        return bool(self.skipping) and all(s[2] for s in self.skipping)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
            return
        if tag == "meta":
            self._meta(dict(attrs))
        if tag in self.BLOCK:
            self._out("\n")
        if tag in _VOID:
            return
        if tag in ("pre", "textarea"):
            self.pre_depth += 1
        if self.skipping:
            top = self.skipping[-1]
            if top[0] == tag:
                top[1] += 1
            reason = self._skip_reason(tag, attrs) if top[0] != tag else None
            if reason == "hidden":
                self.skipping.append([tag, 1, False])
            return
        reason = self._skip_reason(tag, attrs)
        if reason:
            self.skipping.append([tag, 1, reason == "furniture"])
            return
        if tag in self.ARTICLE:
            self.article_depth += 1
        if tag == "a":
            self.parts.append(_LINK_OPEN)
        for cap in self.open_captures:
            if cap[1] == tag:
                cap[2] += 1
        kind = self._capture_kind(tag, attrs)
        if kind:
            self.captured[kind].append("")
            self.open_captures.append([kind, tag, 1, len(self.captured[kind]) - 1])

    def _capture_kind(self, tag, attrs) -> str | None:
        if tag in ("h1", "h2", "h3"):
            return tag
        names = " ".join(v for k, v in attrs if k in ("class", "id") and v).lower()
        if re.search(r"(?:^|[\s_-])(?:article|news|art|content|detail)?[_-]?title(?:$|[\s_-])",
                     names) and "sub" not in names:
            return "classed_title"
        return None

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
        if tag in ("pre", "textarea") and self.pre_depth:
            self.pre_depth -= 1
        if tag in self.BLOCK:
            self._out("\n")
        if self.skipping:
            top = self.skipping[-1]
            if top[0] == tag:
                top[1] -= 1
                if top[1] == 0:
                    self.skipping.pop()
            return
        if tag in self.ARTICLE and self.article_depth:
            self.article_depth -= 1
        if tag == "a":
            self.parts.append(_LINK_CLOSE)
        for cap in list(self.open_captures):
            if cap[1] == tag:
                cap[2] -= 1
                if cap[2] == 0:
                    self.open_captures.remove(cap)

    def handle_data(self, data):
        if self.in_title:
            self.captured["title"].append(data)
            return
        if not self.pre_depth:  # a line break in the source is a space on the page
            data = data.replace("\r", " ").replace("\n", " ")
        if not self.skipping or self._furniture_now():
            self.visible_parts.append(data)
        if self.skipping:
            if self._furniture_now():
                self.furniture_parts.append(data)
            return
        for kind, _, _, index in self.open_captures:
            self.captured[kind][index] += data
        self.parts.append(data)

    def _out(self, text: str) -> None:
        if not self.skipping or self._furniture_now():
            self.visible_parts.append(text)
        (self.furniture_parts if self._furniture_now() else
         self.parts if not self.skipping else []).append(text)

    def _meta(self, attrs: dict) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        content = " ".join((attrs.get("content") or "").split())
        if key and content:
            self.meta.setdefault(key, content)

    # -- results

    def text(self) -> str:
        """The kept text; link-dense lines move to the furniture."""
        kept = []
        for line in "".join(self.parts).split("\n"):
            if _link_share(line) >= LINK_DENSE and _unlinked_han(line) < LINK_DENSE_OWN_WORDS:
                self.furniture_parts.append("\n" + _plain(line) + "\n")
                continue
            kept.append(" ".join(_plain(line).split()))
        return "\n".join(kept)

    def visible_lines(self) -> list[str]:
        """Every visible line, furniture too, in page order: where a byline
        (date, 来源) is looked for."""
        lines = (" ".join(_plain(line).split()) for line in "".join(self.visible_parts).split("\n"))
        return [line for line in lines if line]

    def furniture(self) -> list[str]:
        lines = "".join(self.furniture_parts).split("\n")
        return [" ".join(line.split()) for line in lines if line.strip()]

    def page_title(self) -> str:
        """The page's <title> as it stands, the site's name and all."""
        return " ".join("".join(self.captured["title"]).split())

    def title_hint(self) -> str | None:
        site = [self.meta.get(k) for k in ("og:site_name", "sitename", "application-name")]
        page_titles = [t for t in (" ".join("".join(self.captured["title"]).split()),
                                   self.meta.get("og:title"), self.meta.get("articletitle"))
                       if t]
        headlines = [[" ".join(h.split()) for h in self.captured[k] if h.strip()]
                     for k in ("h1", "classed_title", "h2", "h3")]
        # an element whose text the page's <title> (or og:title) carries
        folded_titles = [fold(t) for t in page_titles]
        carried = [cand for candidates in headlines for cand in candidates
                   if len(cand) >= 4 and any(fold(cand) in t for t in folded_titles)]
        if carried:
            # the longest: an <h1> of the site's name (松花江网) is carried too
            return max(carried, key=len)
        h1s, classed = headlines[0], headlines[1]
        if len(h1s) == 1:
            return h1s[0]
        if len(classed) == 1 and not self.meta.get("og:title"):  # og:title names the article
            return classed[0]
        for title in page_titles[1:] + page_titles[:1]:  # og:title first
            head = strip_site_name(title, [s for s in site if s])
            if head:
                return head
        return None


def _link_share(line: str) -> float:
    inside, linked = False, 0
    total = 0
    for ch in line:
        if ch == _LINK_OPEN:
            inside = True
        elif ch == _LINK_CLOSE:
            inside = False
        elif not ch.isspace() and ch not in "|>»›/·•-":
            total += 1
            linked += inside
    if total < LINK_DENSE_MIN_CHARS:
        return 0.0
    return linked / total


def _unlinked_han(line: str) -> int:
    """Chinese characters of a line outside its links."""
    return len(_HAN.findall(re.sub(f"{_LINK_OPEN}[^{_LINK_CLOSE}]*(?:{_LINK_CLOSE}|$)", "", line)))


def _plain(line: str) -> str:
    return line.replace(_LINK_OPEN, "").replace(_LINK_CLOSE, "")


_TITLE_SEPARATORS = re.compile(r"\s*(?:——|--|\s[-–—|_]\s|[_|｜])\s*")
_BARE_DASH = re.compile(r"[-–—](?=[^-–—]+$)")
_SITE_LIKE = re.compile(
    r"(网|网站|门户|频道|在线|新闻|日报|晚报|报|政府|厅|局|委员会|中心|电视台|广播电视台)$")


def strip_site_name(title: str, site_names: list[str] = ()) -> str | None:
    """The headline in a page title such as ``<headline>_<column>_<site>`` or
    ``<headline>-<site>``: the parts that are site or column names go and the
    longest remaining part (the first on a tie) is kept."""
    title = " ".join(title.split())
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    # a bare dash splits off a last part only when that part names a site
    last = parts[-1] if parts else ""
    m = _BARE_DASH.search(last)
    if m and _is_site_name(last[m.end():].strip(), site_names):
        parts[-1:] = [last[:m.start()].strip(), last[m.end():].strip()]
    if len(parts) <= 1:
        return title or None
    kept = [p for p in parts if not _is_site_name(p, site_names)] or parts[:1]
    return max(kept, key=len)


def _is_site_name(part: str, site_names) -> bool:
    folded = fold(part)
    if any(folded == fold(s) for s in site_names):
        return True
    return len(part) <= 20 and not re.search(r"\d", part) and (
        bool(_SITE_LIKE.search(folded)) or len(part) <= 6)


# --------------------------------------------------------------------------
# the page as a tree

# lxml will not parse a str that declares its encoding (the bytes are already decoded)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)


def parse_html(html: str):
    """The page's element tree, or None for a page with no element.
    libxml2 reads a page in one pass, so an attribute whose quote never
    closes costs its length once (``html.parser`` rescans it at every
    chunk, quadratic in the page's size)."""
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _walk(tree, extractor: _TextExtractor) -> None:
    """Drive the extractor through the tree in document order."""
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if not isinstance(el.tag, str):  # an entity or other non-element node
            if event == "end" and el.tail:
                extractor.handle_data(el.tail)
            continue
        tag = el.tag.lower()
        if event == "start":
            extractor.handle_starttag(tag, [(k.lower(), v) for k, v in el.attrib.items()
                                            if isinstance(k, str)])
            if el.text:
                extractor.handle_data(el.text)
        else:
            if tag not in _VOID:
                extractor.handle_endtag(tag)
            if el.tail:
                extractor.handle_data(el.tail)


# --------------------------------------------------------------------------
# policy documents: the 索引号 / 发文机关 / 发文字号 / 成文日期 table

# label (whitespace removed) -> field
POLICY_LABELS = structure.POLICY_LABELS
_LABEL_PUNCT = re.compile(r"[\s\u3000\xa0:：]+")


def _label(text: str) -> str:
    return _LABEL_PUNCT.sub("", text)


def _cell_text(el) -> str:
    return " ".join(el.text_content().split())


def policy_table(tree):
    """(fields, table element) of a policy document's information table: the
    innermost table in which at least three cells are labels of
    ``POLICY_LABELS`` (索引号, 发文机关, 发文字号...), each value the cell
    after its label; ({}, None) when the page has none."""
    best, best_fields = None, {}
    for table in tree.iter("table"):
        fields = {}
        for cell in table.iter("td", "th"):
            name = POLICY_LABELS.get(_label(cell.text_content()))
            if name is None:
                continue
            value = cell.getnext()
            if value is not None and value.tag in ("td", "th"):
                text = _cell_text(value)
                if text and _label(text) not in POLICY_LABELS:
                    fields.setdefault(name, text)
                else:
                    fields.setdefault(name, "")
        if len(fields) >= 3 and {"issuer", "doc_number", "index_no"} & fields.keys():
            best, best_fields = table, {k: v for k, v in fields.items() if v}  # the innermost comes last
    return best_fields, best


# --------------------------------------------------------------------------
# dates and publishers

# meta names and properties that carry the publication date
_DATE_META = ("article:published_time", "og:article:published_time", "og:release_date",
              "publishdate", "publish-date", "pubdate", "publish_date", "pubtime",
              "datepublished", "dc.date.issued", "dc.date", "weibo:article:create_at",
              "article:published", "firstpublishedtime", "created")
_SOURCE_META = ("source", "og:article:source", "article:source", "contentsource", "mediaid")
# dates in a page's own address: /2019-04/17/, /2019/04/17/, t20200115_, /201702/24/, _20190417
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
    re.compile(r"(?<![0-9])t?((?:19|20)\d{2})(\d{2})(\d{2})(?:_|/|\.s?html?)"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),
)
# words of a byline that stand beside its date but name no one
_NOT_A_NAME = re.compile(r"[:：]$|^(?:最新|最后)?(?:更新|建立|发布|發布|发表|發表|修改|编辑|編輯|记者|記者|作者"
                         r"|时间|時間|日期|阅读|閱讀|评论|評論|分享|来自|來自|于|於)")
_OPEN_LABEL = re.compile(r"(?:来源|來源|稿源|出处|出處|转自|轉自)\s*[:：]\s*$")
_DATE_AND_TIME = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}")
BYLINE_AFTER = 8  # the date and 来源 line is looked for this many lines after the headline
BYLINE_BEFORE = 2  # ...and this many before it (sites that show it above)
# a date with its weekday alone on its line (2020年07月04日 星期六, | 2023年10月11日
# 星期三): in a page's header the site's calendar, today's date when the page
# was saved; the articles of ../shared/corpora/pages show theirs with a time
# of day or a 来源, never so.  It is the article's date only right under the
# headline, where a paper's e-edition may put it.
_CALENDAR = re.compile(r"[|\s]*(?:今天是|今日|北京时间\s*:?)?\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]"
                       r"\s*\d{1,2}\s*日?\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?[|\s]*")


def url_date(url: str | None) -> str | None:
    """The date a news site writes into an article's address."""
    if not url:
        return None
    for pattern in _URL_DATES:
        m = pattern.search(url)
        found = iso_date(*m.group(1, 2, 3)) if m else None
        if found:
            return found
    return None


def meta_date(meta: dict[str, str]) -> str | None:
    for key in _DATE_META:
        if meta.get(key):
            found = structure.parse_date(meta[key])
            if found:
                return found
    return None


def byline(lines: list[str], anchor: int | None, body: set[str] = frozenset(),
           headline: bool = True) -> structure.Metadata:
    """The date and publisher of the line(s) by the headline
    (``2015-07-04 10:21:03 来源: 网易财经``): only near the headline and
    before the text begins (a line of ``body``), so a related article's
    date, a copyright year or a 来源 in the text is not taken.  ``headline``:
    the anchor is the page's headline, not its first line of text; a
    calendar line (a date and weekday alone) counts only right under it."""
    found = structure.Metadata()
    if anchor is None:
        return found
    end = anchor + 1 + BYLINE_AFTER
    for i in range(anchor + 1, min(end, len(lines))):
        if lines[i] in body and structure.read_metadata_line(lines[i], in_header=True) is None:
            end = i
            break
    window = [line for i, line in enumerate(lines[max(0, anchor - BYLINE_BEFORE):end],
                                            start=max(0, anchor - BYLINE_BEFORE))
              if not (_CALENDAR.fullmatch(fold(line)) and not (headline and i == anchor + 1))]
    # a label closing its line (来源:) takes the next line as its value
    window = [line + " " + window[i + 1] if _OPEN_LABEL.search(line) and i + 1 < len(window)
              else line for i, line in enumerate(window)]
    rank = 0
    for line in window:
        meta = structure.read_metadata_line(line, in_header=True)
        if meta is None:
            continue
        found.date = found.date or meta.date
        labelled = structure.labelled_source(line)
        this = 3 if meta.reposted else 2 if labelled else 1
        if not labelled and meta.source and _NOT_A_NAME.search(fold(meta.source)):
            continue  # 建立 2019-03-18, 最新更新：2019-03-18: a byline's word, not its publisher
        if meta.source and this > rank:
            found.source, rank = meta.source, this
    for line in window if found.date is None else ():
        # 作者名 2015-06-19 11:20:11 0人参与: a date with its time of day; 1 分钟阅读 · Apr 22, 2025
        if len(line) <= 80:
            found.date = ((structure.parse_date(line) if _DATE_AND_TIME.search(fold(line)) else None)
                          or _english_date(line) or _us_date(line))
            if found.date:
                break
    return found


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ENGLISH_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\b",
                           re.I)


def _english_date(line: str) -> str | None:
    m = _ENGLISH_DATE.search(line)
    if not m:
        return None
    return iso_date(m.group(3), _MONTHS.index(m.group(1).lower()[:3]) + 1, m.group(2))


# 9/17/2004 5:54:13 AM: month first, as the US write it; the AM/PM says so
# (7/5/2005 without one could be either, and is not read)
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AP]M\b", re.I)


def _us_date(line: str) -> str | None:
    m = _US_DATE.search(fold(line))
    if not m:
        return None
    return iso_date(m.group(3), m.group(1), m.group(2))


_DATE_NAMED = re.compile(r"date|time", re.I)
CLASSED_DATE_MAX = 40  # the text of an element named for a date holds little else


def classed_date(tree) -> str | None:
    """The date of the page's element named for one (``<span id="paperdate">``,
    ``class="pubtime"``), even inside a form, where an e-paper keeps its
    edition's date; only when every such element with a date gives the same
    one (a list's items each have their own)."""
    found = set()
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "meta", "time"):
            continue
        names = " ".join(v for k, v in el.attrib.items() if k in ("class", "id") and v)
        if not names or not _DATE_NAMED.search(names):
            continue
        text = " ".join(el.text_content().split())
        if len(text) <= CLASSED_DATE_MAX:
            date = structure.parse_date(text)
            if date:
                found.add(date)
    return found.pop() if len(found) == 1 else None


def _anchor(lines: list[str], title: str | None, body: list[str]) -> int | None:
    """Where the article starts among the visible lines: its headline, else
    its first line of text."""
    for probe in ([title] if title else []) + body[:1]:
        folded = fold(probe).strip()
        if len(folded) < 4:
            continue
        for i, line in enumerate(lines):
            if fold(line).strip() == folded:
                return i
        for i, line in enumerate(lines):
            if folded in fold(line) and len(line) <= 2 * len(probe) + 20:
                return i
    return None


def _is_headline(lines: list[str], anchor: int | None, shown: str | None) -> bool:
    """Whether the anchor found is the page's headline (not its first line of text)."""
    return bool(anchor is not None and shown and len(fold(shown).strip()) >= 4
                and fold(shown).strip() in fold(lines[anchor]))


# --------------------------------------------------------------------------
# list pages

LIST_LINK_SHARE = 0.5  # a page whose visible text is at least this share of link text...
LIST_PROSE_MAX = 150  # ...and whose text has fewer characters in sentences is a list of links
# a page that is nearly all links (a channel's front page: 85-105% of its
# text, links counted twice where nested) is a list with the teasers' sentences
# too: the undated articles of ../shared/corpora/pages stay under 55% of links
MOSTLY_LINKS = 0.8
MOSTLY_LINKS_PROSE_MAX = 600
_SENTENCE_MARK = re.compile(r"[。！？!?]")


# a site's or a channel's front page, whatever its share of links: its own
# address is the site's root (https://www.jiqizhixin.com/, /index.html), or
# its title names it so (BBC News, 中文 - 主页); an article lives at an address
# of its own and has a headline
_FRONT_PATH = re.compile(r"/?(?:(?:index|default|home)\.(?:s?html?|php|aspx?|jsp))?$", re.I)
_FRONT_TITLE = re.compile(r"(?:^|[-_|–—·,]\s*|网站|频道)(?:首页|主页)$")
# a feed of news flashes: most of its paragraphs end with a source of their
# own (…来源：IT之家), where an article has one source; or, on a page half
# links, a time of day stands alone above each (08:20:00): the articles of
# ../shared/corpora/pages have at most 3 such lines, and a live report's
# times stand in a page of its own text, not of links
FEED_SOURCES_MIN = 10
FEED_TIMES_MIN = 5
_OWN_SOURCE = re.compile(r"来源\s*:\s*\S{2,16}$")
_TIME_ALONE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


# a site's search results: one part of its <title> says so (智能解析 - 搜索结果
# - 知乎, “扶贫”的搜索结果, Search results for …); a headline about them
# (谷歌调整搜索结果, 百度搜索结果页改版) is no such part
_TITLE_PARTS = re.compile(r"\s*[-_|–—·]+\s*")
_SEARCH_PART = re.compile(r"(?:.*的)?搜索结果(?:\s*:.*)?|search results?(?: for .*)?", re.I)


def _search_results(title: str) -> bool:
    return any(_SEARCH_PART.fullmatch(part) for part in _TITLE_PARTS.split(fold(title).strip()))


# a forum's board: the list of its threads, each row marked as such by the
# forum's software (Discuz's normalthread_123, tieba's j_thread_list and
# threadlist_title, thread-list); a thread's own page shows a few at most (a
# sidebar's hot threads), and comments threaded on a blog (thread-odd,
# thread-even) are no list of threads.  Only list pages of ../shared/corpora/pages
# have five or more.
FORUM_THREADS_MIN = 10
_THREAD_ROW = re.compile(r"(?:normal|stick)thread_\d+|j_thread_list|thread[-_]?list(?:[-_]\w+)?")


def _forum_board(tree) -> bool:
    rows = 0
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()
        if any(_THREAD_ROW.fullmatch(name) for name in names):
            rows += 1
            if rows >= FORUM_THREADS_MIN:
                return True
    return False


def _front_page(url: str | None, title: str | None) -> bool:
    if url and url.startswith("http") and _FRONT_PATH.fullmatch(urlsplit(url).path or "/"):
        return True
    return bool(title and _FRONT_TITLE.search(fold(title).strip()))


def _feed_of_flashes(body: list[str], link_share: float) -> bool:
    sourced = sum(1 for line in body if _OWN_SOURCE.search(fold(line).strip()))
    if sourced >= FEED_SOURCES_MIN and 2 * sourced >= len(body):
        return True
    timed = sum(1 for line in body if _TIME_ALONE.fullmatch(line.strip()))
    return link_share >= LIST_LINK_SHARE and timed >= FEED_TIMES_MIN and 3 * timed >= len(body)


def _prose(lines: list[str]) -> int:
    """Characters in lines that hold a sentence: a list's headlines and
    dates have none."""
    return sum(len(line) for line in lines if _SENTENCE_MARK.search(line))


def _link_text_share(tree) -> float:
    total = sum(len(t.strip()) for t in tree.xpath("//body//text()[not(ancestor::script)"
                                                    " and not(ancestor::style)]"))
    linked = sum(len(t.strip()) for t in tree.xpath("//body//a//text()"))
    return linked / total if total else 0.0


# --------------------------------------------------------------------------


class ListPage(Exception):
    """A page of links (an index, a channel's front page): no article."""


def _canonical(tree) -> str | None:
    """The page's address: its canonical link, or the id of a CleanEval-style
    ``<text id="http://...">`` wrapper (how crawled pages are kept in corpora)."""
    for href in tree.xpath("//link[@rel='canonical']/@href") + tree.xpath("//text/@id"):
        if href.strip().startswith("http"):
            return href.strip()
    return None


def _meta_source(meta: dict[str, str]) -> str | None:
    for key in _SOURCE_META:
        value = meta.get(key, "").strip()
        if value and structure._SOURCE_NAME.match(value):
            return value
    return None


# htmldate reads meta tags, JSON-LD, <time> and the address; its extensive
# search, which takes any date in the text (a comment's, a related
# article's), is off
_DATE_PARAMS = {**set_date_params(extensive=False)}


def _structured_date(doc, lines: list[str], text_start: int | None) -> str | None:
    """htmldate's date (through trafilatura), from data no rule of ours
    reads (a script's JSON, <time>), unless the page shows it first in its
    text (at or after ``text_start``): htmldate also takes dates from the text (a comment's, a
    related article's), which are not the page's."""
    date = structure.parse_date((doc.date or "") if doc else "")
    if date is None:
        return None
    rows = [i for i, line in enumerate(lines) if date in _dates_in(line)]
    if rows and (text_start is None or rows[0] >= text_start):
        return None
    return date


def _text_start(lines: list[str], anchor: int | None, body: set[str]) -> int | None:
    """Where the article's text begins among the visible lines."""
    if anchor is None:
        return None
    return next((i for i in range(anchor + 1, len(lines)) if lines[i] in body), None)


def _dates_in(line: str) -> set[str]:
    return {d for m in structure.DATE.finditer(fold(line)) if (d := iso_date(*m.group(1, 2, 3)))}


def _main_text(tree):
    """trafilatura's main text and metadata of the page, or None.  Tables
    not as tables: Chinese sites lay whole pages out in them, and a table's
    cells would come joined into one line; their text still comes."""
    try:
        return trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                           include_tables=False, deduplicate=False,
                                           date_extraction_params=_DATE_PARAMS)
    except Exception:  # noqa: BLE001  (a library failing on a page falls back to our reading)
        return None


FURNITURE_AT_MOST = 0.5  # our furniture holds at most this share of the library's text
COVERED = 0.8  # our lines stand for the library's text when they hold this share of it
_NO_SPACE = re.compile(r"\s+")


def _compact(line: str) -> str:
    return _NO_SPACE.sub("", line)


def choose_body(main: list[str], own: list[str], furniture: list[str]) -> list[str]:
    """The article's lines from trafilatura's main text (``main``) and our
    own reading (``own`` content, ``furniture``).  Our rules go after the
    library's: a line of its text that only our furniture holds (navigation,
    breadcrumbs, share bars, link lists) goes.  Its choice of text then
    picks our lines when they cover it, since ours keep a paragraph whole
    where its fallback for short pages cuts at every <b> or <a>; where it
    found text that we dropped, its lines stand."""
    own_all = "\x00".join(_compact(line) for line in own)
    furniture_all = "\x00".join(_compact(line) for line in furniture)
    unfiltered = main
    main = [line for line in main
            if not (_compact(line) in furniture_all and _compact(line) not in own_all)]
    removed = [line for line in unfiltered if line not in main]
    if (len("".join(main)) < FURNITURE_AT_MOST * len("".join(unfiltered))
            and _prose(removed) >= FURNITURE_AT_MOST * len("".join(removed))):
        # most of the library's text is sentences that our furniture holds:
        # our rules took the article for furniture (a list page's links,
        # which our furniture rightly holds, are no sentences)
        main = unfiltered
    if not main:
        return own
    main_all = "".join(_compact(line) for line in main)
    at = [i for i, line in enumerate(own) if _compact(line) and _compact(line) in main_all]
    if sum(len(_compact(own[i])) for i in at) < COVERED * len(main_all):
        return main
    # between the first and the last of our lines that are the library's
    # paragraphs, ours stand whole: it drops lines inside an article (a
    # lesson's aims, a line with its references linked) that ours keep, and
    # the furniture there is ours to drop.  A short line is no landmark: it
    # is found anywhere in the library's text (评论 in its comments)
    landmarks = [i for i in at if len(_compact(own[i])) >= SPAN_LANDMARK]
    inside = set(range(landmarks[0], landmarks[-1] + 1)) if landmarks else set()
    return _once([line for i, line in enumerate(own) if i in inside or i in set(at)])


SPAN_LANDMARK = 20  # characters of a line that marks where the library's text runs (choose_body)
REPEAT_MIN = 40  # a paragraph this long met a second time is the page's second copy of the article


def _once(lines: list[str]) -> list[str]:
    """Lines without a second copy of a long one: some pages hold the
    article twice (for the desktop and the phone layout), and the library's
    text matches both copies of our lines."""
    seen, out = set(), []
    for line in lines:
        key = _compact(line)
        if len(key) >= REPEAT_MIN:
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return out


# the classes of one post's text on forum threads and blogs' front pages
# (post-body, Discuz's t_f and postmessage, phpwind's tpc_content): the
# same class met again is the next post, a reply or an older entry
_POST_CLASS = re.compile(r"^(?:post[-_]?(?:body|content|message|text)|postmessage|t_f|tpc_content|read_tpc)$")


def first_post_only(tree) -> int:
    """On a page of several posts (a thread and its replies, a blog's front
    page), the first post is the page's article: the others go, each with
    what surrounds it alone (its title, date and footer), up to the element
    that holds another post too.  Returns how many posts went."""
    groups: dict[str, list] = {}
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for token in (el.get("class") or "").lower().split():
            if _POST_CLASS.match(token):
                groups.setdefault(token, []).append(el)
                break
    posts = max(groups.values(), key=len, default=[])
    if len(posts) < 2:
        return 0
    holding: Counter = Counter()  # posts under each ancestor: one pass up from each post
    for post in posts:
        holding.update(post.iterancestors())
    for post in posts[1:]:
        top = post
        while (top.getparent() is not None and top.getparent().getparent() is not None
               and holding[top.getparent()] == 1):
            top = top.getparent()
        if top.getparent() is not None:
            top.drop_tree()
    return len(posts) - 1


def html_to_record(html: str) -> RawRecord:
    """One page to a raw record (text, title hint, date, publisher, issuer,
    document number, furniture).  Raises ListPage for a page of links."""
    tree = parse_html(html)
    if tree is None:
        return RawRecord(text="")
    forum_board = _forum_board(tree)
    first_post_only(tree)
    info, info_table = policy_table(tree)
    extractor = _TextExtractor()
    _walk(tree, extractor)
    own_text = extractor.text()
    own_lines = [line for line in own_text.split("\n") if line.strip()]
    lines = extractor.visible_lines()
    url = extractor.meta.get("og:url") or _canonical(tree)
    link_share = _link_text_share(tree)
    if info_table is not None:
        info_lines = [" ".join(t.split()) for t in info_table.itertext() if t.strip()]
        info_table.drop_tree()
    else:
        info_lines = []
    doc = _main_text(tree)
    main = [" ".join(line.split()) for line in ((doc.text or "") if doc else "").split("\n")]
    main = [line for line in main if line]
    body = [line for line in choose_body(main, own_lines, extractor.furniture())
            if line not in info_lines]
    shown = info.get("title") or extractor.title_hint()  # as the page shows it
    title = structure.without_media_tag(shown) if shown else None
    anchor = _anchor(lines, shown, body)
    near = byline(lines, anchor, set(body), _is_headline(lines, anchor, shown))
    # a short item under a dated byline is an article, however many links surround it
    if not info and not near.date and (
            (link_share >= LIST_LINK_SHARE and _prose(body) < LIST_PROSE_MAX)
            or (link_share >= MOSTLY_LINKS and _prose(body) < MOSTLY_LINKS_PROSE_MAX)):
        raise ListPage(f"a list of links, not an article ({link_share:.0%} of its text is links)")
    if not info and not near.date and _front_page(url, shown):
        raise ListPage("a site's or channel's front page, not an article")
    if not info and not near.date and _search_results(extractor.page_title()):
        raise ListPage("a site's search results, not an article")
    if not info and not near.date and forum_board:
        raise ListPage("a forum's board (its list of threads), not an article")
    if not info and not near.date and _feed_of_flashes(body, link_share):
        raise ListPage("a feed of news flashes (each under its own source or time), not an article")
    url = url or (doc.url if doc else None)
    date = (structure.parse_date(info.get("written") or info.get("published") or "")
            or near.date or meta_date(extractor.meta) or url_date(url)
            or _structured_date(doc, lines, _text_start(lines, anchor, set(body)))
            or classed_date(tree) or structure.labelled_date(lines))
    source = near.source or _meta_source(extractor.meta)
    kept = set(body)
    furniture = info_lines + [line for line in lines if line not in kept and line not in info_lines]
    return RawRecord(text="\n".join(body), title=title, date=date, source=source, url=url,
                     furniture=furniture, issuer=info.get("issuer"),
                     doc_number=info.get("doc_number"))

"""HTML pages to a raw record: visible text with block structure kept as
lines; script, style and forms dropped; page furniture (nav/aside,
header/footer outside the article, elements whose class or id furniture.tsv
names, lines that are mostly link text) kept apart as ``furniture``; the
headline (``<h1>``, a title element, og:title or ``<title>`` without the site
name) offered as a title hint."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from search.ingest.clean import is_furniture_element
from search.ingest.record import RawRecord
from search.text.analysis import fold

# markers around link text inside the collected text; removed in ``text()``
_LINK_OPEN, _LINK_CLOSE = "\x01", "\x02"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
         "meta", "param", "source", "track", "wbr"}
LINK_DENSE = 0.6  # a line whose text is at least this share of link text is navigation
LINK_DENSE_MIN_CHARS = 2


class _TextExtractor(HTMLParser):
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
    CAPTURED = ("title", "h1", "h2", "classed_title")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.furniture_parts: list[str] = []
        # open elements being skipped: [tag, nesting of that tag, furniture?]
        self.skipping: list[list] = []
        self.article_depth = 0
        self.in_title = False
        self.open_captures: list[list] = []  # [kind, tag, nesting, index]
        self.captured: dict[str, list[str]] = {k: [] for k in self.CAPTURED}
        self.meta: dict[str, str] = {}

    # -- element bookkeeping

    def _skip_reason(self, tag: str, attrs) -> str | None:
        if tag in self.SKIP:
            return "hidden"
        if tag in self.FURNITURE:
            return "furniture"
        if tag in self.FURNITURE_OUTSIDE_ARTICLE and not self.article_depth:
            return "furniture"
        names = " ".join(v for k, v in attrs if k in ("class", "id") and v)
        if names and is_furniture_element(names):
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
        if tag in ("h1", "h2"):
            return tag
        names = " ".join(v for k, v in attrs if k in ("class", "id") and v).lower()
        if re.search(r"(?:^|[\s_-])(?:article|news|art|content|detail)?[_-]?title(?:$|[\s_-])",
                     names) and "sub" not in names:
            return "classed_title"
        return None

    def handle_startendtag(self, tag, attrs):
        if tag == "meta":
            self._meta(dict(attrs))
        if tag in self.BLOCK:
            self._out("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
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
        if self.skipping:
            if self._furniture_now():
                self.furniture_parts.append(data)
            return
        for kind, _, _, index in self.open_captures:
            self.captured[kind][index] += data
        self.parts.append(data)

    def _out(self, text: str) -> None:
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
            if _link_share(line) >= LINK_DENSE:
                self.furniture_parts.append("\n" + _plain(line) + "\n")
                continue
            kept.append(" ".join(_plain(line).split()))
        return "\n".join(kept)

    def furniture(self) -> list[str]:
        lines = "".join(self.furniture_parts).split("\n")
        return [" ".join(line.split()) for line in lines if line.strip()]

    def title_hint(self) -> str | None:
        site = [self.meta.get(k) for k in ("og:site_name", "sitename", "application-name")]
        page_titles = [t for t in (" ".join("".join(self.captured["title"]).split()),
                                   self.meta.get("og:title"), self.meta.get("articletitle"))
                       if t]
        headlines = [[" ".join(h.split()) for h in self.captured[k] if h.strip()]
                     for k in ("h1", "classed_title", "h2")]
        # an element whose text the page's <title> (or og:title) carries
        folded_titles = [fold(t) for t in page_titles]
        for candidates in headlines:
            for cand in candidates:
                if len(cand) >= 4 and any(fold(cand) in t for t in folded_titles):
                    return cand
        h1s, classed = headlines[0], headlines[1]
        if len(h1s) == 1:
            return h1s[0]
        if len(classed) == 1:
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


def html_to_record(html: str) -> RawRecord:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = parser.text()
    return RawRecord(text=text, title=parser.title_hint(), furniture=parser.furniture())



"""From clean lines to an article's shape: metadata (title, source, date),
section headings, paragraphs, and the magazine-column case where every line
is a news item of its own.

Rules work on folded text (``search.text.analysis.fold`` keeps positions), so
a span found in the folded line is the same span in the original line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

from search.text.analysis import fold

HEADING_MAX = 30  # a section heading is at most this long
HEADLINE_MAX = 60  # a headline is at most this long
HEADER_LINES = 6  # metadata without a label is looked for this near the top
FOOTER_LINES = 3  # ...and this near the bottom

_SENTENCE_END = "。！？；…!?;"
_OPENING_QUOTES = "“\"「『‘'"
_CLAUSE_END = ",，:：、"

DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")
_DATE_LABEL = re.compile(r"(发布|更新|发表|录入|发稿)?(时间|日期)\s*:")
# 来源 after a space, a separator, a bracket or the time before it (09:01:00来源:)
_SOURCE_LABEL = re.compile(
    r"(?:^|(?<=[\s|\[\]【】()\d]))(转自|转载自|来源于|来源|稿源|出处|来自)\s*:\s*")
# other fields of a byline: the label and one word of value (作者:杨斌)
_OTHER_LABEL = re.compile(
    r"(作者|责任编辑|编辑|责编|选稿人员|选稿|审核|校对|浏览次数|浏览|点击数|点击|阅读数|阅读"
    r"|字号)\s*:\s*[^\s|\[\]【】()]*")
# what else a byline holds: weekdays, print-edition numbers, addresses of the
# page, separators and brackets
_LINE_CHROME = re.compile(
    r"星期[一二三四五六日天]|原创(?=\s)|第?\s*[a-z]?\d{1,3}\s*版|(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)*"
    r"\.(?:com|cn|net|org|gov)(?:\.cn)?(?:/\S*)?|[|\[\]【】()《》<>]")
_SOURCE_NAME = re.compile(r"^[^\s\d,。:;!?、()]{2,20}$")
_TAG = re.compile(r"^[^\s\d,。:;!?、()]{1,4}$")
_REPOSTED = ("转自", "转载自")  # the publication the site took the article from

_CREDIT = re.compile(r"[。！？!?”\"]\s*[(（][^()（）]{2,16}[)）]\s*$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


# --------------------------------------------------------------------------
# dates and sources


def iso_date(year, month, day) -> str | None:
    """The day as ISO yyyy-mm-dd (numbers or digit strings, as a pattern's
    groups give them); None for a day no calendar has (2019-02-30)."""
    try:
        return Date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first valid calendar date in ``text`` as ISO yyyy-mm-dd."""
    return next((d for m in DATE.finditer(fold(text)) if (d := iso_date(*m.group(1, 2, 3)))), None)


# a date field's compact form: 20120702 (with a time after it or not)
_COMPACT_DATE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})(?:$|[\sT_]|\d{4,6}$)")


def parse_record_date(value: str | None) -> str | None:
    """A date field's value (JSON lines, meta tags) as ISO yyyy-mm-dd: the
    forms ``parse_date`` reads, and the compact ``20120702``, which in
    running text would be any eight-digit number."""
    if not value:
        return None
    value = fold(value).strip()
    m = _COMPACT_DATE.match(value)
    if m:
        return iso_date(*m.group(1, 2, 3))
    return parse_date(value)


# A site's channel or media tag at the head of a headline: [视频], 【组图】,
# (图), and their broken forms (视频]..., [视频【...).  Only these words: a
# bracketed column name (【二十大代表风采】) is the editors' own heading.
_CHANNEL_WORDS = (r"视频|组图|图文|图集|图片|多图|图|标题|快讯|音频|直播|高清|独家|"
                  r"滚动|最新|热点|原创|Video|VIDEO")
_CHANNEL_TAG = re.compile(
    rf"^\s*(?:[\[【(（]\s*(?:{_CHANNEL_WORDS})\s*(?:[\]】)）]|(?=[\[【]))"
    rf"|(?:{_CHANNEL_WORDS})[\]】])\s*")


def strip_channel_tag(title: str | None) -> str | None:
    """``title`` without the channel tags at its head (``[视频]``,
    ``【组图】``); a title that is nothing but a tag stays as it is."""
    if not title:
        return title
    rest = title
    while m := _CHANNEL_TAG.match(rest):
        if not rest[m.end():].strip():
            break
        rest = rest[m.end():]
    return rest.strip() if rest is not title else title


@dataclass
class LineMeta:
    """What a metadata line such as ``2019-04-29 14:51 来源:中国组织人事报``
    tells."""

    date: str | None = None
    source: str | None = None
    reposted: bool = False  # the source came from 转自: the original publication


def labelled_source(line: str) -> tuple[str, bool] | None:
    """(source, reposted) from ``来源:X`` / ``转自:X`` in a line."""
    folded = fold(line)
    m = _SOURCE_LABEL.search(folded)
    if not m:
        return None
    rest = _VALUE_END.split(line[m.end():])[0]
    if fold(rest).endswith(":"):  # 来源： 访问量：199: an empty field, then the next field's label
        return None
    glued = DATE.search(fold(rest))  # 来源：央视网2022年05月06日: the date is not the name
    rest = (rest[:glued.start()] if glued else rest).strip(" ,。;:、")
    label = _NEXT_LABEL.search(fold(rest))  # 来源：证券时报网作者：李在山: the next field's label ends it
    rest = rest[:label.start()].strip(" ,。;:、") if label else rest
    if not rest or _LINE_CHROME.fullmatch(fold(rest)) or _NOT_A_SOURCE.search(rest):
        return None
    return rest, m.group(1) in _REPOSTED


_VALUE_END = re.compile(r"[\s|\[\]【】()（）]")
_NEXT_LABEL = re.compile(r"(?:作者|记者|编辑|责任编辑|责编|发布时间|时间|日期|浏览|点击|阅读)\s*:")
# what an empty field of a page's template leaves (来源： size="20"): no name
_NOT_A_SOURCE = re.compile(r"[=<>\"]")


def _residue(line: str) -> str:
    """What a byline holds besides dates, times, labelled fields, weekdays,
    edition numbers, addresses and separators, in the line's own script."""
    folded = fold(line)
    chars = list(line)
    for p in (DATE, _CLOCK, _DATE_LABEL, _OTHER_LABEL, _LINE_CHROME):
        for m in p.finditer(folded):
            chars[m.start():m.end()] = [" "] * (m.end() - m.start())
    # a separator left at either end (字母榜 · 2025年04月22日) joined the name to the date
    return " ".join("".join(chars).split()).strip(" ·•・|/-")


def unlabelled_source(line: str) -> str | None:
    """In a header line ``四川日报  2018年08月23日`` the name beside the date."""
    rest = _residue(line)
    # folded, a full-width colon is one too: 最新更新： is a label, not a name
    return rest if _SOURCE_NAME.match(fold(rest)) else None


def read_metadata_line(line: str, in_header: bool) -> LineMeta | None:
    """Metadata a short line carries, or None for a content line.  Lines
    with a label (来源:, 转自:, 发布时间:) count anywhere; a bare date only
    near the top or the bottom of the text (``in_header``)."""
    if len(line) > 80:
        return None
    labelled = labelled_source(line)
    date = parse_date(line) if (in_header or labelled or _DATE_LABEL.search(fold(line))) else None
    if labelled is None and date is None:
        return None
    if labelled is None and not _is_mostly_date(line):
        return None
    if labelled:
        return LineMeta(date, labelled[0], labelled[1])
    return LineMeta(date, unlabelled_source(line))


def _is_mostly_date(line: str) -> bool:
    """A date line: nothing but the date, a time, labels and a name, or a
    date followed by a few short tags (``2017-06-13 新余市 王昊阳 车间``)."""
    rest = _residue(line)
    if not rest or _SOURCE_NAME.match(rest):
        return True
    tags = rest.split(" ")
    return bool(DATE.match(fold(line))) and len(tags) <= 5 and all(_TAG.match(t) for t in tags)


@dataclass
class Metadata:
    source: str | None = None
    date: str | None = None


def take_metadata(lines: list[str]) -> tuple[Metadata, list[str], list[str]]:
    """Split off metadata lines: (metadata, content lines, metadata lines).
    A reposted source (转自) wins over 来源, which wins over a bare name."""
    meta, content, used = Metadata(), [], []
    source_rank = 0
    for i, line in enumerate(lines):
        near_edge = i < HEADER_LINES or i >= len(lines) - FOOTER_LINES
        found = read_metadata_line(line, in_header=near_edge)
        if found is None:
            content.append(line)
            continue
        used.append(line)
        meta.date = meta.date or found.date
        rank = 3 if found.reposted else 2 if found.source and labelled_source(line) else 1
        if not near_edge and not found.reposted and not found.date:
            # 来源：Reuters under a photo, between two paragraphs: the picture's
            # credit, not the article's publisher (its line still goes)
            continue
        if found.source and rank > source_rank:
            meta.source, source_rank = found.source, rank
    return meta, content, used


def date_in_chrome(lines: list[str], edge: int = HEADER_LINES) -> str | None:
    """The date a dropped line of page chrome shows (``当前:A2(2019年01月22日)
    上一版``, ``时间: 2020-04-07 责任编辑:X``): one with a date label anywhere,
    a bare date only among the first or last ``edge`` lines."""
    for i, line in enumerate(lines):
        if len(line) > 80:
            continue
        labelled = _DATE_LABEL.search(fold(line)) or labelled_source(line)
        if labelled or i < edge or i >= len(lines) - edge:
            date = parse_date(line)
            if date:
                return date
    return None


# --------------------------------------------------------------------------
# headlines, headings, paragraphs


def _ends_sentence(line: str) -> bool:
    return any(ch in line for ch in "。！？!?") or line[-1] in _SENTENCE_END + _CLAUSE_END


def looks_like_headline(line: str) -> bool:
    """Short, no sentence end, and not a quotation or a parenthesis; a
    quoted word that the line goes on after (“扶贫车间”助脱贫) is fine."""
    return (4 <= len(line) <= HEADLINE_MAX and not _ends_sentence(line)
            and (line[0] not in _OPENING_QUOTES + "(（" or _quote_opens_headline(line)))


_QUOTED_LEAD = re.compile(r"^[“\"「『‘'][^”\"」』’']{1,12}[”\"」』’'](?=[^\s”\"」』’'])")


def _quote_opens_headline(line: str) -> bool:
    """“扶贫车间”助脱贫: a short quoted word with the headline going on after it."""
    return bool(_QUOTED_LEAD.match(line))


def is_heading(line: str) -> bool:
    """A section heading: short, no sentence punctuation, no comma, not a
    quote or a parenthesised credit."""
    return (len(line) <= HEADING_MAX and not _ends_sentence(line)
            and not any(ch in line for ch in ",，;；")
            and line[0] not in _OPENING_QUOTES + "(（"
            and not line.isdigit())


# a media-type tag a site puts before its headlines: [视频], 【视频】, (图文)
_MEDIA_TAG = re.compile(r"^\s*[\[【(（]\s*(?:视频|視頻|音频|音頻|图文|圖文|组图|組圖|图片|圖片|直播|快讯|快訊)"
                        r"\s*[\]】)）]\s*")


def without_media_tag(title: str) -> str:
    """A headline without the media-type tag before it (``[视频]`` on every
    新闻联播 item): the tag says how the page shows the story, not what it
    is, and would start every title and citation alike.  Column names in
    brackets (【中国稳健前行】) stay: they are part of the headline."""
    stripped = _MEDIA_TAG.sub("", title, count=1)
    return stripped if stripped.strip() else title


def take_title(lines: list[str], hint: str | None, first_line: bool = True) -> tuple[str | None, list[str]]:
    """The headline and the remaining lines.  A title hint (from HTML or
    JSON) wins; its copy in the text is dropped.  Without one, the first
    line when it looks like a headline (and ``first_line``)."""
    if hint:
        folded_hint = fold(hint).strip()
        rest = list(lines)
        for i, line in enumerate(lines[:HEADER_LINES]):
            if fold(strip_channel_tag(line)) == folded_hint:
                del rest[i]
                break
        return hint, rest
    if first_line and lines and looks_like_headline(lines[0]) and not surrounds_headline(lines[0]) \
            and len(lines) > 1:
        return lines[0], lines[1:]
    return None, lines


# --------------------------------------------------------------------------
# the headline of a whole page copied as text: navigation, breadcrumbs and
# site names above it, its dateline (date, 来源, byline) below it, then the body

BODY_MIN = 50  # a body paragraph: at least this long, with a sentence end
HEADLINE_ABOVE = 6  # lines looked at above the dateline (or the body)
HEADER_SCAN = 300  # lines above the body looked at for its dateline
LATE_DATELINE = 4  # lines after the seeming body start looked at for a labelled dateline
HEADLINE_SEMICOLON = 40  # a headline may join two items with ；, in this many characters
SHORT_HEADLINE = 8  # a headline this short may be a name: a longer one above wins
_BREADCRUMB = re.compile(r"[>›»]|当前位置|您的位置|您现在的位置|现在位置|所在位置")
_EDITION = re.compile(r"当前版|第?\s*[a-z]?\d{1,3}\s*版(?:$|\s|:)|^版面|^\d{1,3}版")
_TAG_REMNANT = re.compile(r"<[/!a-z]|/>|&[a-z]+;|\{\{|\}\}")
_CHANNEL_NAME = re.compile(r"(?:网|频道|新闻|首页|本网原创|原创|专题|专栏|栏目|客户端|app|官网|门户|在线|视频|图片)$")
_BYLINE = re.compile(r"^(?:[^\s/]{2,8}\s*/\s*[^\s/]{2,12}|(?:作者|记者|通讯员|编辑|责任编辑|文|图|摄影?)\s*[:|丨]?\s*\S{2,12})$")
_DATELINE_TITLE = re.compile(r"(?:新华社|中新社|人民网|央视网|中国新闻网)[^,。:]{0,16}电\s*\(?\s*(?:记者[^)]*\)\s*)?题\s*:\s*(.{4,60})$")
_BYLINE_WORD = re.compile(r"作者|记者|通讯员|责任编辑|编辑:|人参与|评论\d|阅读\d|分钟阅读|发布于|^#|^分享")
# the buttons around a headline: share, follow, scan, font size
_SHARE = re.compile(r"二维码|扫一扫|分享到|关注我们|下载客户端|字号|字体|收藏|打印|纠错|评论\s*$"
                    r"|(?:立即|立刻|免费)注册|免费邮箱|^\d+\s*分钟$|^音频\s*\d")
# between a headline and its dateline: an author's or account's name
_SHORT_NAME = re.compile(r"^[^\s,，。:：;；!！?？、]{1,8}$")
# a platform's mark glued to the headline: 原创最不愁吃肉的国家
_HEADLINE_MARK = re.compile(r"^(?:原创|置顶|独家|推荐|热)\s*(?=\S{6})")
# a forum's or a form's label before the headline: 主题： 你知道导游为什么...
_HEADLINE_LABEL = re.compile(r"^(?:主题|标题|帖子主题|文章标题)\s*:\s*(?=\S{4})")
# between a headline and its dateline: the site's address (巴彦淖尔市政府门户网站
# www.bynr.gov.cn), a subtitle (——热烈祝贺市政协五届一次会议开幕)
_ADDRESS = re.compile(r"https?://|www\.")
# a member's or an account's figures (积分：235, 粉丝：23文章：11): never a headline
# a byline's day in words: 昨天 06:54, 原创 某某 前天, 3小时前
_RELATIVE_DATE = re.compile(r"(?:^|\s)(?:今天|昨天|前天|\d+\s*(?:分钟|小时|天)前)(?:\s*\d{1,2}:\d{2})?$")
BYLINE_MAX = 40  # a byline without a label is at most this long
_STATS = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}\s*:\s*\d+\s*)+$")
_SUBTITLE = re.compile(r"^\s*(?:——|--|—)")
# never a headline: an address (网易商业报道 http://biz.163.com), a photo's
# credit (…后路 蔡雪婧/摄), a numbered section heading (一、培养目标)
_NOT_HEADLINE = re.compile(r"https?://|www\.|\.(?:com|cn|net|org)(?:/|\s|$)|/\s*摄\s*$|摄\s*$|供图\s*$"
                           r"|^(?:[一二三四五六七八九十]{1,3}|\d{1,2})\s*[、．.]\s*\S|^[(（][一二三四五六七八九十\d]{1,3}[)）]")
# the title row of a policy document's information table
_TITLE_ROW = re.compile(r"^(?:标\s*题|名\s*称)\s*:\s*(\S.{3,})$")
_ORIGINAL_TITLE = re.compile(r"^原标题\s*:\s*(.{4,60})$")


def is_body_paragraph(line: str) -> bool:
    if "://" in line:  # the ? of an address (index.php?title=) ends no sentence
        line = _WEB_ADDRESS.sub("", line)
    return len(line) >= BODY_MIN and any(ch in line for ch in "。！？!?；;")


_WEB_ADDRESS = re.compile(r"https?://[\x21-\x7e]+")


def body_start(lines: list[str]) -> int:
    """Where the body begins: its first paragraph, or with short paragraphs
    only, its first sentence longer than a heading (len(lines) for none)."""
    found = next((i for i, line in enumerate(lines) if is_body_paragraph(line)), None)
    if found is None:
        found = next((i for i, line in enumerate(lines) if _ends_sentence(line) and len(line) > HEADING_MAX),
                     len(lines))
    return found


def is_headline_candidate(line: str) -> bool:
    """A line a reader could take for the headline: short, no sentence
    inside it (a question or exclamation may end it), and none of what
    surrounds a headline on a page: a breadcrumb, a site or channel name, a
    menu of short words, an edition label, a tag remnant, a byline."""
    folded = fold(headline_text(line))
    if not 6 <= len(folded) <= HEADLINE_MAX:
        return False
    if "。" in folded or folded[-1] in _CLAUSE_END + ";":
        return False
    if ";" in folded and len(folded) > HEADLINE_SEMICOLON:  # a clause of a sentence, not 午间公告：A；B
        return False
    if _NOT_HEADLINE.search(folded) or _SUBTITLE.match(folded) or _STATS.match(folded) \
            or _RELATIVE_DATE.search(folded):
        return False
    if folded[0] in _OPENING_QUOTES + "(" and not _quote_opens_headline(line):
        return False
    return not surrounds_headline(line) and bool(re.search(r"[\u4e00-\u9fff]", folded))


def surrounds_headline(line: str) -> bool:
    """What stands around a headline on a page and is never one: a
    breadcrumb, share buttons, an edition label, a tag remnant, a menu of
    short words (新闻 体育 财经), a site or channel name, a dateline or a
    byline."""
    folded = fold(headline_text(line))
    return bool(
        _BREADCRUMB.search(folded) or _SHARE.search(folded) or _EDITION.search(folded)
        or _TAG_REMNANT.search(folded) or _is_menu(folded.split("|"))
        or _is_menu([w for w in folded.split() if not _LATIN_WORD.fullmatch(w)])
        or _BYLINE.match(folded) or folded.startswith(("原标题", "题:"))
        or len(folded) <= 12 and _CHANNEL_NAME.search(folded)
        or DATE.search(folded) or _CLOCK.search(folded) or _DATE_LABEL.search(folded)
        or _SOURCE_LABEL.search(folded) or _BYLINE_WORD.search(folded))


# the labels of a policy document's information table (索引号, 发文机关,
# 成文日期...) and the fields they name; html.policy_table reads the table's
# cells, policy_rows the same table copied as text
POLICY_LABELS = {
    "索引号": "index_no", "主题分类": "topic", "主题词": "keywords",
    "发文机关": "issuer", "发布机构": "issuer", "发文单位": "issuer",
    "标题": "title", "名称": "title",
    "发文字号": "doc_number", "文号": "doc_number",
    "成文日期": "written", "发布日期": "published",
}
_POLICY_LABEL = re.compile("(?:%s)\\s*:\\s*" % "|".join(
    r"\s*".join(map(re.escape, label)) for label in sorted(POLICY_LABELS, key=len, reverse=True)))
POLICY_FIELDS_MIN = 3  # labels of the table, one of them 索引号, 发文机关 or 发文字号


def policy_rows(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A policy document's information table copied as text (``发文机关：
    国务院办公厅 成文日期： 2018年10月27日`` a line): (its fields, its
    lines), or ({}, []) when the top of the text holds no such table."""
    fields: dict[str, str] = {}
    used, labels = [], set()
    for line in lines[:HEADER_LINES * 3]:
        folded = fold(line)
        found = list(_POLICY_LABEL.finditer(folded))
        if not found or found[0].start() > 0:
            continue
        used.append(line)
        for k, m in enumerate(found):
            name = POLICY_LABELS[re.sub(r"[\s:]", "", m.group())]
            labels.add(name)
            value = line[m.end():found[k + 1].start() if k + 1 < len(found) else len(line)].strip()
            if value:
                fields.setdefault(name, value)
    if len(labels) < POLICY_FIELDS_MIN or not {"issuer", "doc_number", "index_no"} & labels:
        return {}, []
    return fields, used


def title_row(lines: list[str]) -> str | None:
    """The title a policy document's information table gives (标 题: X)."""
    for line in lines[:HEADER_LINES * 3]:
        m = _TITLE_ROW.match(fold(line).strip())
        if m:
            start = len(line) - len(line.lstrip()) + m.start(1)
            return line[start:].strip()
    return None


# a Latin word set off by spaces inside a Chinese line (用 AI 秘书治好了…,
# 运营商 5G 手机): the spaces are typesetting, not a menu's gaps
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9.+#_-]*")


def _is_menu(items: list[str]) -> bool:
    """Menu items: three or more, nearly all short (首页 | 新闻 | 关于我们)."""
    items = [i.strip() for i in items if i.strip()]
    if len(items) <= 3:  # 运营商 5G 手机促销方式曝光: a headline with two short words in it
        return len(items) >= 2 and all(len(i) <= 5 for i in items)
    return sum(len(i) <= 5 for i in items) >= len(items) - 1


def headline_text(line: str) -> str:
    """A headline line without a platform's mark glued to its head."""
    m = _HEADLINE_MARK.match(fold(line)) or _HEADLINE_LABEL.match(fold(line))
    return line[m.end():].strip() if m else line.strip()


def find_headline(lines: list[str]) -> int | None:
    """The index of the headline in a page's lines, or None when no line
    can be told for it.  The headline stands right above its dateline (the
    last date or 来源 line before the body) or, with no dateline, right
    above the body; bylines in between are passed over."""
    body = body_start(lines)
    dateline = next((i for i in range(body - 1, max(-1, body - 1 - HEADER_SCAN), -1)
                     if read_metadata_line(lines[i], in_header=True) or _labelled_byline(lines[i])), None)
    if body == len(lines):  # no body: a headline would leave the text empty or be its last line
        return None
    # a notice or an ad long enough to pass for the body may stand above the
    # headline: a labelled dateline (时间：2019-09-25 作者：…) just after it tells
    late = next((i for i in range(body + 1, min(len(lines), body + 1 + LATE_DATELINE))
                 if _DATE_LABEL.search(fold(lines[i])) and read_metadata_line(lines[i], in_header=True)), None)
    for below in ([late] if late is not None else []) + ([dateline] if dateline is not None else []) + [body]:
        short = None  # a short candidate may be an account's name above a dateline
        for i in range(below - 1, max(-1, below - 1 - HEADLINE_ABOVE), -1):
            line = lines[i]
            if is_headline_candidate(line):
                if len(line) > SHORT_HEADLINE or short is not None:
                    return i
                short = i
                continue
            folded = fold(line)
            if not (read_metadata_line(line, in_header=True) or _BYLINE.match(folded)
                    or _BYLINE_WORD.search(folded) or _SHORT_NAME.match(line)
                    or DATE.search(folded) or _CLOCK.search(folded) or _SHARE.search(folded)
                    or _ADDRESS.search(folded) or _SUBTITLE.match(folded) or _DATE_LABEL.search(folded)
                    or _STATS.match(folded) or _labelled_byline(line)
                    or lines[i + 1:below].count(line)):
                break  # something else stands between: not the headline's place
        if short is not None:
            return short
    return None


# a headline set over lines: a line that ends mid-phrase (…外汇及, …的) or
# names the issuing body before 关于 (全国人民代表大会常务委员会 / 关于…的决议)
_GOES_ON = re.compile(r"(?:及|和|与|的|暨|、|关于|对|在|为)$")
_ISSUER_END = re.compile(r"(?:委员会|人民政府|政府|国务院|办公厅|办公室|部|厅|局|委|院|会)$")
_OPENS_ON = re.compile(r"^(?:关于|对|和|及|与|的)")
HEADLINE_LINES = 4  # at most this many lines make one headline
ISSUER_MIN = 3


def _labelled_byline(line: str) -> bool:
    """A byline whose date is labelled but not ours to read, its fields
    perhaps empty (作者： 来源： 发布日期： 9/17/2004 5:54:13 AM); a short one
    with a date and time beside a name (36氪的朋友们·2025年04月22日 19:27),
    or a day said in words (原创 kingname 未闻Code 前天, 昨天 06:54)."""
    folded = fold(line)
    if len(line) > 80:
        return False
    return (bool(_DATE_LABEL.search(folded)) and bool(re.search(r"\d", folded))
            or len(line) <= BYLINE_MAX and bool(_DATE_WITH_TIME.search(folded) or _RELATIVE_DATE.search(folded)))


def headline_start(lines: list[str], at: int) -> int:
    """The first line of the headline ending at ``lines[at]``: the lines
    above it that it goes on from, so a policy document's title set over
    three lines is read whole."""
    start = at
    while start > 0 and at - start < HEADLINE_LINES - 1:
        above, below = fold(lines[start - 1]).strip(), fold(lines[start]).strip()
        if not above or _ends_sentence(above) or surrounds_headline(lines[start - 1]):
            break
        # an issuing body is named in three characters or more (国务院, 省委办公厅):
        # a two-character line above is a channel's label (社会 over 和男友口角…)
        issuer = len(above) >= ISSUER_MIN and _ISSUER_END.search(above)
        if not (_GOES_ON.search(above) or (issuer and _OPENS_ON.match(below))):
            break
        start -= 1
    return start


# where a page copied whole goes on past its article: other articles'
# teasers, the app's and the QR code's calls, the readers' comments, the
# site's search box (共找到 13,046 个相关新闻), a row of page tools (页面功能
# 【我来说两句】【推荐】【打印】), the site's footer (a wiki's 取自“https://…”,
# 本页面最后修订于 and Creative Commons notice, a paper's 反侵权公告), a blog
# post's footer (- 作者： 某人 访问统计： 2005年08月30日, 星期二 13:22) and the
# blog's other posts under it
_TAIL_START = re.compile(
    r"^[【\[]?\s*(?:相关内容|相关阅读|相关新闻|相关文章|相关推荐|延伸阅读|推荐阅读|热门推荐|为你推荐|猜你喜欢"
    r"|更多精彩|精彩推荐|热门文章|推荐文章|最新文章|热点推荐|今日推荐|热门阅读)"
    r"|你可能(?:会)?(?:喜欢|感兴趣)|更多猛料|扫码|扫描.{0,10}二维码|打开.{0,12}app|下载.{0,8}客户端"
    r"|^下载[^,.。;]{0,10}(?:应用|app)[^,.。;]{0,10}$|^(?:其他|更多)?(?:同一|本|同)栏目.{0,4}(?:内容|文章|新闻|资讯)$"
    r"|\d+\s*条评论|写评论|^共找到\s*[\d,]+\s*[个条篇]|^页面功能|(?:【[^】]{1,8}】\s*){3,}"
    r"|^反侵权(?:公告|声明)|^取自\s*\W?https?://|^本页面最后修订于|知识共享\s*署名|^(?:网友|最新|热门)评论|^发表评论|^我要评论|promoted links|恭候您的意见|联系我们|关于我们|版权所有|copyright|©|违法和不良信息举报"
    r"|icp备|免责声明|版权声明|本站郑重声明|许可证|网站标识码|powered by|cookie|查看完整版本|我要反馈|^举报$|^阅读\s*\("
    r"|【纠错】|^[\[【]?(?:上一篇|下一篇|上一条|下一条|上一页|下一页)|客户端下载|网站纠错|发送给朋友|收藏本文|^评论内容|^留言\s*:"
    r"|投诉或建议|^记住我|(?:责任编辑|责编)\s*:|^(?:标签|关键字|关键词|tags?)\s*:"
    # a blog post's closing footer: its author's label and the time it was posted
    r"|^\W{0,3}(?:(?:作者|发表者)\s*:|posted by)\s*\S{1,20}\s.{0,24}(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}.{0,12}\d{1,2}:\d{2}"
    r"|^【(?:评论|推荐|打印|关闭|收藏)】|^(?:←\s*)?返回(?:顶部|首页|列表|目录)?$|^(?:微信|微博|qq空间)(?:\s+\S{1,4})*$")
TAIL_TEASERS = 3  # this many headline-like lines closing a page copy are teasers of other articles
TEASER_MIN = 8
TAIL_MENU = 3       # this many lines of a word or two right above the tail are its menu
MENU_WORD_MAX = 4   # 网页 新闻 音乐 购物: a site search box's tabs


def opens_tail(line: str) -> bool:
    """A line that opens a copied page's tail (相关阅读, 免责声明, 版权所有...)."""
    return len(line) <= 80 and bool(_TAIL_START.search(fold(line)))


_NOTICE_HEADING = re.compile(r"免责声明|版权声明|(?:责任编辑|责编)\s*:")


def opens_notice(line: str) -> bool:
    """A line that heads a page's legal notice (免责声明：, 【版权声明】) or
    closes its article ([责任编辑:某人]): what follows is the page's tail."""
    return len(line) <= 80 and bool(_NOTICE_HEADING.search(fold(line)))


def article_end(lines: list[str], after_marks: set[str] = frozenset()) -> int:
    """Where the article of a page copied whole ends among its lines (the
    body, headline taken): at the first line past its first paragraph that
    opens the page's tail (相关阅读, 扫描二维码, 条评论, 版权所有...) or
    that stood right after such a line dropped as furniture before
    (``after_marks``: a 免责声明 line goes as furniture, its notice is the
    tail), and before a closing run of lines that read as headlines, not
    text (the teasers of other articles, with no heading of their own)."""
    first = body_start(lines)
    end = next((i for i in range(first + 1, len(lines))
                if opens_tail(lines[i]) or lines[i] in after_marks), len(lines))
    if end < len(lines) and read_metadata_line(lines[end], in_header=True) and parse_date(lines[end]):
        end += 1  # 发布日期：2019-03-06 责任编辑：龙慧 closes the article and dates it
    run = end
    while run > first + 1 and _teaser(lines[run - 1]):
        run -= 1
    if end - run >= TAIL_TEASERS:
        return run
    if end < len(lines):  # the tail's own menu or search tabs stand right above it
        run = end
        while run > first + 1 and _menu_word(lines[run - 1]):
            run -= 1
        if end - run >= TAIL_MENU:
            return run
    return end


def _menu_word(line: str) -> bool:
    folded = fold(line).strip()
    return 0 < len(folded) <= MENU_WORD_MAX and not re.search(r"[,.。;:!?、]", folded)


def _teaser(line: str) -> bool:
    folded = fold(line).strip()
    return (TEASER_MIN <= len(folded) <= HEADLINE_MAX and not _ends_sentence(folded)
            and bool(re.search(r"[\u4e00-\u9fff]", folded)))


# 发布时间 2005/05/17 22:11:42 by 某人, 某人 发表于 2005-9-15 11:46:00: a post's own
# label and its date, wherever on the page (a forum thread's or a blog's first post)
_POST_DATE_LABEL = r"(?:(?:发布|发表|更新)(?:时间|日期|于)|(?:^|(?<=\s))时间)\s*[:：]?\s*"
_LABELLED_DATE = re.compile(_POST_DATE_LABEL + r"(?=(?:19|20)\d{2}\s*[-/.年])")
# 发表时间： 06/02/2022 - 13:48: the Chinese service of a European outlet (RFI)
# writes the day first; the American form, month first, carries AM/PM
# (9/17/2004 5:54:13 AM) and is not read so
_LABELLED_DAY_FIRST = re.compile(_POST_DATE_LABEL + r"(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?![\d/])"
                                 r"(?!\s*\d{1,2}:\d{2}(?::\d{2})?\s*[ap]\.?m)")


def labelled_date(lines: list[str]) -> str | None:
    """The date after the first 发布时间 / 发表于 label of the page (not
    only by the headline): the last place a date is looked for, since a
    page with no byline (a forum thread, a blog post) labels its posts so.
    A related article's list shows no such label."""
    for line in lines:
        folded = fold(line)
        m = _LABELLED_DATE.search(folded)
        if m:
            found = parse_date(line[m.end():m.end() + 24])
            if found:
                return found
        m = _LABELLED_DAY_FIRST.search(folded)
        if m:
            return iso_date(m.group(3), m.group(2), m.group(1))
    return None


DATELINE_LINES = 3  # lines under a copy's headline where its dateline stands
_DATE_AT_START = re.compile(r"^\s*(?:19|20)\d{2}\s*[-/.年]")
_DATE_WITH_TIME = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}")


def dateline_date(lines: list[str]) -> str | None:
    """The date of the line(s) right under a copied page's headline when
    they hold more than a date (2019-09-05 11:10 游民星空[整理] 1, a site's
    address before it): one opening with the date, or with the time of day;
    not a sentence (2018年3月20日，全国人大表决通过...)."""
    for line in lines[:DATELINE_LINES]:
        folded = fold(line)
        if len(line) <= 80 and not re.search(r"[,，。;；]", folded) and (
                _DATE_AT_START.match(folded) or _DATE_WITH_TIME.search(folded)):
            found = parse_date(line)
            if found:
                return found
    return None


def headline_in_text(lines: list[str]) -> str | None:
    """A headline the text gives in words: ``原标题:X`` or a 新华社 dateline
    ``新华社北京4月17日电 题:X``."""
    for line in [x for x in lines if x][:HEADER_LINES * 2]:
        folded = fold(line).strip()
        m = _DATELINE_TITLE.search(folded) or _ORIGINAL_TITLE.match(folded)
        if m:
            start = len(line) - len(line.lstrip()) + m.start(1)
            return line[start:start + len(m.group(1))].strip()
    return None


PARAGRAPH_MAX = 2000  # characters: a longer line is cut into paragraphs
# the end of a sentence: its marks and a closing quote or bracket after them.
# Searched for, never a whole sentence matched: a pattern that spans a
# sentence rescans the rest of a line with no end mark from every position.
_SENTENCE_END_MARKS = re.compile(r"[。！？!?；;]+[”’」』）)\]]*")


@dataclass
class LongLines:
    """What ``split_long_lines`` did: lines split, and lines it had to cut
    where no sentence ended within ``PARAGRAPH_MAX`` characters."""

    split: int = 0
    cut: int = 0
    longest: int = 0


def split_long_lines(lines: list[str], limit: int = PARAGRAPH_MAX) -> tuple[list[str], LongLines]:
    """Lines longer than ``limit`` characters (a page whose text came as one
    line) cut into paragraphs of whole sentences, each at most ``limit``
    characters; a sentence longer than that is cut every ``limit``
    characters.  Other lines stay as they are."""
    out: list[str] = []
    seen = LongLines()
    for line in lines:
        if len(line) <= limit:
            out.append(line)
            continue
        seen.split += 1
        seen.longest = max(seen.longest, len(line))
        cut = False
        start = fits = 0  # the paragraph being filled: its start, its last sentence end
        for end in _sentence_ends(line):
            while end - start > limit:  # the paragraph cannot take this sentence
                if fits > start:
                    out.append(line[start:fits].strip())
                    start = fits
                else:  # no sentence end within the limit
                    cut = True
                    out.append(line[start:start + limit].strip())
                    start += limit
            fits = end
        if line[start:].strip():
            out.append(line[start:].strip())
        seen.cut += cut
    return [x for x in out if x], seen


def _sentence_ends(line: str):
    """Offsets just after each sentence of ``line``, the line's end last."""
    for m in _SENTENCE_END_MARKS.finditer(line):
        yield m.end()
    yield len(line)


def sections(lines: list[str], heading: str | None = None, pending: tuple[str, ...] = (),
             more: bool = False) -> list[tuple[str | None, str]]:
    """(heading, paragraph text) in reading order.  Consecutive heading lines
    (a label and a subtitle) join with a space; heading lines that no
    paragraph follows are kept as paragraphs so no text is lost.  A part of
    a large text read in parts begins under ``heading``, with ``pending``
    heading lines still waiting for a paragraph, and, when ``more`` parts
    follow, leaves the heading lines that end it to the next part's
    paragraphs (as the text read whole does)."""
    out: list[tuple[str | None, str]] = []
    pending = list(pending)
    for line in lines:
        if is_heading(line):
            pending.append(line)
            continue
        if pending:
            heading, pending = " ".join(pending), []
        out.append((heading, line))
    if not more:
        out.extend((heading, line) for line in pending)
    return out


def heading_after(lines: list[str], heading: str | None = None,
                  pending: tuple[str, ...] = ()) -> tuple[str | None, tuple[str, ...]]:
    """The heading in effect after ``lines`` and the heading lines that
    wait for a paragraph there (``sections`` reading on past them)."""
    pending = list(pending)
    for line in lines:
        if is_heading(line):
            pending.append(line)
        elif pending:
            heading, pending = " ".join(pending), []
    return heading, tuple(pending)


# --------------------------------------------------------------------------
# magazine columns: a column name, then one news item a line


def column_items(lines: list[str]) -> list[str] | None:
    """The news items when ``lines`` is a column (a heading-like name, then
    at least two lines that each end with a reporter's credit), else None."""
    if len(lines) < 3 or not is_heading(lines[0]):
        return None
    items = lines[1:]
    if all(_CREDIT.search(item) for item in items):
        return items
    return None


# --------------------------------------------------------------------------
# identifiers


def file_doc_id(path: Path) -> str:
    """The file stem when URL-safe, else 16 hex digits of the name's SHA-1."""
    if _SAFE_ID.match(path.stem):
        return path.stem
    return hashlib.sha1(path.name.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def distinct_doc_id(doc_id: str, path: str) -> str:
    """``doc_id`` made distinct for the article of ``path`` when another
    file already has it: a suffix from the path's hash, so the same file
    gets the same id at every re-indexing."""
    return f"{doc_id}-{hashlib.sha1(path.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


def record_doc_id(record_id: str | None, path: Path, line_no: int | None) -> str:
    """A JSON line's own id made URL-safe, else ``<file id>.<line no>``."""
    if record_id:
        safe = _UNSAFE_ID_CHARS.sub("-", record_id).strip("-.")
        if safe:
            return safe
    base = file_doc_id(path)
    return f"{base}.{line_no}" if line_no is not None else base

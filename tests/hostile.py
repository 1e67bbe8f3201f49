"""Query strings that have broken search services before: every one must
give an answer, never a server error."""

HOSTILE_QUERIES = [
    '"', '""', '"扶贫', '扶贫"', '"扶贫 车间', "'", "\\", "\\\"",
    "OR", "AND", "NOT", "-", "--", "+", "*", "?", "~", "^", ":", "::", "()", "(", ")", "[]", "{}", "[", "{",
    "OR 扶贫", "扶贫 OR", "扶贫 AND", "NOT 扶贫", "-扶贫", "扶贫 -", "扶贫 NOT", "OR OR OR", "NOT NOT",
    "扶贫*", "*扶贫", "扶?", "扶贫~2", "扶贫^3", "title:扶贫", "text:", "province:四川", "a:b:c",
    "扶贫 " * 200, "扶" * 10_000, "a" * 10_000, "就业扶贫车间" * 2000,
    "\x00", "扶\x00贫", "\x01\x02\x03", "\t\n\r", "\u200b", "\ufeff扶贫", "\u202e扶贫", "\ud7ff",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "&lt;&amp;", "{{7*7}}", "${7*7}", "%s%n",
    "就業扶貧 employment 扶贫 ביטחון пример 🙂", "ＡＢＣ１２３", "🙂" * 50, "e\u0301", "'; DROP TABLE x; --",
    "   ", "\u3000\u3000", "。。。", ",,,", "、", "……", "“扶贫”", "「扶贫车间」",
]

# Raw query strings, percent-escaped as a client might send them.
HOSTILE_RAW = [
    "q=%ff%fe", "q=%C0%80", "q=%E6%89", "q=%00", "q=%", "q=%zz", "q=%%%", "q=扶贫&q=", "q&q&q",
    "q=%ED%A0%80", "province=%ff", "year=%ff", "measure=%00", "sort=%ff",
    "province=" + "x" * 5000, "q=a&" * 50, "page=99999999999999999999", "size=-1", "page=%F0%9F%99%82",
]

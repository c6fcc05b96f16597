"""Statistics: the figures policy text is full of, attached to what they measure.

``规模以上工业增加值同比增长6.5%`` is read as a :class:`~kg.types.Statistic` with measure
``规模以上工业增加值同比增长``, value ``6.5``, unit ``%`` and the period named in the sentence
(``一季度``); if the measure names an entity (``高技术制造业增加值…``) the statistic is about it.
Figures are never entities of the four classes.  A figure whose measure is only a verb
(``…，比2021年四季度加快2.6个百分点``) continues the measure of the figure before it.  An amount
written before a named thing (``设立5000亿元科技创新再贷款``) is that thing's, and what a counting
measure word counts follows it (``覆盖13个粮食主产省份``).
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

from .entities import word_tag
from .types import Document, Mention, Sentence, Statistic

__all__ = ["StatisticsExtractor"]

_UNITS = ("个百分点", "百分点", "%", "万亿元", "亿元", "万元", "元", "亿美元", "万美元", "美元", "万户", "户",
          "万辆", "辆", "万家", "家", "万人", "人", "万个", "个", "座", "项", "倍", "万吨", "吨",
          "万千瓦", "千瓦", "平方公里", "公里", "万台", "台", "件", "所", "次",
          # measure words of land, weight, volume and counted things (10亿亩, 35万张, 4514亿块)
          "亩", "公顷", "斤", "公斤", "千克", "平方米", "立方米", "千瓦时", "人次", "个月", "名", "套", "张",
          "块", "条", "处", "批", "艘", "架", "标准箱")
# Measure words that count things: a noun right after them names what is counted (13个粮食主产省份).
_COUNTERS = frozenset(("个", "家", "座", "所", "项", "名", "套", "张", "块", "条", "处", "批", "艘", "架", "台",
                       "辆", "户", "件"))
_COUNTED_RE = re.compile(r"[\u4e00-\u9fff]{1,8}")
_COUNTED_END = "的和与及等或在"  # characters that end the counted noun: 13个粮食主产省份|的产粮大县
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
# Longest unit first: 个月 before 个, 千瓦时 before 千瓦.
_FIGURE_RE = re.compile(rf"(?<![\d.〔\[第])({_NUMBER})\s*(万亿|亿|万)?\s*"
                        rf"({'|'.join(map(re.escape, sorted(_UNITS, key=len, reverse=True)))})?")
# A number followed by these is a date, a year or a code, not a figure.
_NOT_FIGURE_AFTER = ("年", "月", "日", "号", "时", "G", "g", "届", "次会议")
_PERIOD_RE = re.compile(
    r"(?:\d{4}年|今年|去年|明年)?(?:前[一二三]季度|[一二三四]季度|上半年|下半年|全年|\d{1,2}[-—至]\d{1,2}月(?:份)?"
    r"|\d{1,2}月(?:份|末|底)?)"
    r"|(?:\d{4}年|今年|去年|上年)(?:底|末)|\d{4}年|今年|去年|明年|同期")
_VERBS = ("同比增长", "同比下降", "环比增长", "环比下降", "同比增加", "同比减少", "增长", "下降", "增加", "减少",
          "提高", "降低", "加快", "回落", "达到", "达", "为", "超过", "突破", "占比", "占", "累计", "共计", "约",
          "合计", "提升", "扩大", "收窄")
_BARE_VALUE_VERBS = ("为", "达到", "达", "是")
_CLAUSE_BREAK = ",;:。!?、"
# ...and a comparison base (比上年增加1109万吨: the measure is the one before, 增加 its verb).
_LEADING_NOISE = re.compile(r"^(?:其中|同时|此外|另外|目前|截至|截止|全年|当月|(?:比|较)(?:上年末|上年|上月|年初)?|我国|全国"
                            r"|[一二三四五六七八九十]是)+")


class StatisticsExtractor:
    """Finds the statistics of a document's sentences."""

    def __call__(self, doc: Document, mentions: Sequence[Mention]) -> Tuple[Statistic, ...]:
        by_sentence: Dict[int, List[Mention]] = {}
        for m in mentions:  # once, not a pass over every mention per sentence
            by_sentence.setdefault(m.sentence, []).append(m)
        out: List[Statistic] = []
        for s in doc.sentences:
            out.extend(self.sentence(doc.doc_id, s, by_sentence.get(s.index, [])))
        return tuple(out)

    def sentence(self, doc_id: str, s: Sentence, mentions: Sequence[Mention]) -> List[Statistic]:
        norm = s.norm
        out: List[Statistic] = []
        previous_subject: Optional[str] = None
        for m in _FIGURE_RE.finditer(norm):
            number, multiplier, unit = m.group(1), m.group(2) or "", m.group(3) or ""
            after = norm[m.end():]
            if not unit and not multiplier:
                if any(after.startswith(a) for a in _NOT_FIGURE_AFTER) or not _bare_value(norm, m.start()):
                    continue
            if unit == "" and multiplier and after[:1] not in ("", *_CLAUSE_BREAK, "。"):
                continue
            start = _clause_start(norm, m.start())
            measure_raw = norm[start:m.start()].strip()
            measure, period_in_measure = _strip_periods(measure_raw)
            subject = _subject_of(measure)
            if not subject and previous_subject:
                measure = previous_subject + measure
            elif subject:
                previous_subject = subject
            if not measure:
                continue
            period = period_in_measure or _period_before(norm, m.start())
            about = _about(mentions, s.start + start, s.start + m.start())
            named = next((x for x in mentions if x.start == s.start + m.end()), None) if unit else None
            if named is not None:  # 设立5000亿元科技创新再贷款: the amount is the named thing's
                measure, about = measure + named.text, named.key
            elif unit in _COUNTERS and _lacks_noun(measure):  # 覆盖13个粮食主产省份: what is counted
                measure += _counted(norm, m.end())
            out.append(Statistic(doc_id=doc_id, sentence=s.index, start=s.start + start, end=s.start + m.end(),
                                 measure=measure, value=number.replace(",", ""), unit=multiplier + unit,
                                 period=period, about=about))
        return out


def _lacks_noun(measure: str) -> bool:
    """True when a measure names nothing counted: a verb alone (覆盖), or a phrase ending in 的 or 等."""
    return measure.endswith(("的", "等")) or word_tag(measure) == "v"


def _counted(norm: str, pos: int) -> str:
    """The noun right after a counting measure word at ``pos``, up to a function word or a verb
    (…个|粮食主产省份|的…, …个|城市|运行), or ""."""
    m = _COUNTED_RE.match(norm, pos)
    run, i = (m.group(0) if m else ""), 0
    while i < len(run) and run[i] not in _COUNTED_END:
        word = next((run[i:j] for j in range(min(len(run), i + 4), i + 1, -1) if word_tag(run[i:j])), run[i])
        if i and word_tag(word).startswith(("v", "d", "p", "c", "u")):
            break
        i += len(word)
    return run[:i]


def _bare_value(norm: str, pos: int) -> bool:
    """A number without a unit is a figure only after a copula (指数为100.4)."""
    return any(norm[:pos].endswith(v) for v in _BARE_VALUE_VERBS)


def _clause_start(norm: str, pos: int) -> int:
    i = pos
    while i > 0 and norm[i - 1] not in _CLAUSE_BREAK:
        i -= 1
    return i


def _strip_periods(measure: str) -> Tuple[str, Optional[str]]:
    """The measure without period expressions and leading noise, and the period it named."""
    periods = [p.group(0) for p in _PERIOD_RE.finditer(measure)]
    text = _PERIOD_RE.sub("", measure)
    text = _LEADING_NOISE.sub("", text).strip(" “”\"")
    return text, ("".join(periods) or None)


def _subject_of(measure: str) -> str:
    """The measure without its trailing verb: what is measured (empty when only a verb)."""
    for v in sorted(_VERBS, key=len, reverse=True):
        if measure.endswith(v):
            subject = measure[: -len(v)]
            return subject[:-2] if subject.endswith(("同比", "环比")) else subject
    return measure


def _period_before(norm: str, pos: int) -> Optional[str]:
    found = [p.group(0) for p in _PERIOD_RE.finditer(norm[:pos])]
    return found[-1] if found else None


def _about(mentions: Sequence[Mention], start: int, end: int) -> Optional[str]:
    inside = [m for m in mentions if start <= m.start and m.end <= end]
    return inside[-1].key if inside else None

"""Statistics: the figures policy text is full of, attached to what they measure.

``规模以上工业增加值同比增长6.5%`` is read as a :class:`~kg.types.Statistic` with measure
``规模以上工业增加值同比增长``, value ``6.5``, unit ``%`` and the period named in the sentence
(``一季度``); if the measure names an entity (``高技术制造业增加值…``) the statistic is about it.
Figures are never entities of the four classes.  A figure whose measure is only a verb
(``…，比2021年四季度加快2.6个百分点``) continues the measure of the figure before it.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from .types import Document, Mention, Sentence, Statistic

__all__ = ["StatisticsExtractor"]

_UNITS = ("个百分点", "百分点", "%", "万亿元", "亿元", "万元", "元", "亿美元", "万美元", "美元", "万户", "户",
          "万辆", "辆", "万家", "家", "万人", "人", "万个", "个", "座", "项", "倍", "万吨", "吨",
          "万千瓦", "千瓦", "平方公里", "公里", "万台", "台", "件", "所", "次")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_FIGURE_RE = re.compile(rf"(?<![\d.〔\[第])({_NUMBER})\s*(万亿|亿|万)?\s*({'|'.join(map(re.escape, _UNITS))})?")
# A number followed by these is a date, a year or a code, not a figure.
_NOT_FIGURE_AFTER = ("年", "月", "日", "号", "时", "G", "g", "届", "次会议")
_PERIOD_RE = re.compile(
    r"(?:\d{4}年)?(?:前[一二三]季度|[一二三四]季度|上半年|下半年|全年|\d{1,2}[-—至]\d{1,2}月(?:份)?|\d{1,2}月(?:份)?)"
    r"|\d{4}年|今年|去年|明年|同期")
_VERBS = ("同比增长", "同比下降", "环比增长", "环比下降", "同比增加", "同比减少", "增长", "下降", "增加", "减少",
          "提高", "降低", "加快", "回落", "达到", "达", "为", "超过", "突破", "占比", "占", "累计", "共计", "约",
          "合计", "提升", "扩大", "收窄")
_BARE_VALUE_VERBS = ("为", "达到", "达", "是")
_CLAUSE_BREAK = ",;:。!?、"
_LEADING_NOISE = re.compile(r"^(?:其中|同时|此外|另外|目前|截至|截止|全年|当月|比|我国|全国|[一二三四五六七八九十]是)+")


class StatisticsExtractor:
    """Finds the statistics of a document's sentences."""

    def __call__(self, doc: Document, mentions: Sequence[Mention]) -> Tuple[Statistic, ...]:
        out: List[Statistic] = []
        for s in doc.sentences:
            in_sentence = [m for m in mentions if m.sentence == s.index]
            out.extend(self.sentence(doc.doc_id, s, in_sentence))
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
            out.append(Statistic(doc_id=doc_id, sentence=s.index, start=s.start + start, end=s.start + m.end(),
                                 measure=measure, value=number.replace(",", ""), unit=multiplier + unit,
                                 period=period, about=about))
        return out


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

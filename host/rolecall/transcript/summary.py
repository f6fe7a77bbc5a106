"""A call's summary and action items from its turns, on this machine, with no model.

The summary is extractive: TextRank (`summa`) picks the call's most central sentences,
kept in the order they were said; a call too short for it keeps its first sentences.
Action items are the sentences that commit someone to something ("I'll send", "we will",
"by Friday", "next step", "let's schedule"), each marked with who said it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rolecall.protocol.transcript import Speaker, Turn

SPEAKER_LABELS: dict[Speaker, str] = {"user": "You", "far": "They"}
SUMMARY_WORDS = 70
MAX_ITEMS = 12
NOTES_MARK = "Call summary (made on this computer):"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_COMMITMENT = re.compile(
    r"\b("
    r"i(?:'|’)ll|i will|i am going to|i'm going to|i can send|i shall|"
    r"we(?:'|’)ll|we will|we are going to|we're going to|we need to|we should|"
    r"you(?:'|’)ll|you will|can you|could you|please send|please|"
    r"let(?:'|’)s|let us|"
    r"next steps?|action items?|follow[ -]?up|to ?do|"
    r"by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|"
    r"tonight|next week|the end of (?:the )?(?:day|week|month)|eod|eow)|"
    r"(?:send|schedule|book|share|prepare|review|sign|call back|get back)\b.*\b"
    r"(?:by|before|on|tomorrow|next)\b"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    speaker: Speaker
    text: str


@dataclass(frozen=True)
class Summary:
    text: str
    action_items: list[str]


def sentences(turns: list[Turn]) -> list[Sentence]:
    found = []
    for turn in turns:
        for piece in _SENTENCE_END.split(turn.text.strip()):
            piece = piece.strip()
            if len(piece.split()) >= 2:
                found.append(Sentence(turn.speaker, piece))
    return found


def is_commitment(text: str) -> bool:
    """Whether a sentence commits someone to doing something."""
    return _COMMITMENT.search(text) is not None


def action_items(turns: list[Turn]) -> list[str]:
    items: list[str] = []
    for sentence in sentences(turns):
        if is_commitment(sentence.text) and not sentence.text.endswith("?"):
            item = f"{SPEAKER_LABELS[sentence.speaker]}: {sentence.text}"
            if item not in items:
                items.append(item)
    return items[:MAX_ITEMS]


def summarize(turns: list[Turn], words: int = SUMMARY_WORDS) -> Summary:
    """The call's summary (a few of its sentences, who said each) and its action items."""
    said = sentences(turns)
    if not said:
        return Summary("", [])
    from summa import summarizer

    text = "\n".join(s.text for s in said)
    picked: set[str] = set()
    if len(said) >= 4:
        ranked = summarizer.summarize(text, words=words, split=True)
        picked = {str(line).strip() for line in ranked}
    chosen = [s for s in said if s.text in picked] if picked else said[:3]
    parts: list[str] = []
    last: Speaker | None = None
    for sentence in chosen:
        label = f"{SPEAKER_LABELS[sentence.speaker]}: " if sentence.speaker != last else ""
        parts.append(label + sentence.text)
        last = sentence.speaker
    return Summary(" ".join(parts)[:8000], action_items(turns))


def notes_block(summary: str, items: list[str]) -> str:
    """The text the call log's notes carry (and the CRM with them)."""
    lines = [NOTES_MARK, summary.strip() or "(no speech)"]
    if items:
        lines += ["", "Action items:", *(f"- {item}" for item in items)]
    return "\n".join(lines)


def with_summary(notes: str, summary: str, items: list[str]) -> str:
    """`notes` with the call's summary block last, replacing an earlier one (an edit)."""
    mine = notes.split(NOTES_MARK, 1)[0].rstrip()
    block = notes_block(summary, items)
    return f"{mine}\n\n{block}" if mine else block

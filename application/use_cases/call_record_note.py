"""A finished call as the voice platform reports it, and the internal note it becomes.

The note is what an agent picking up the ticket reads first: the summary's title and text, the
outcome, the duration, and the transcript - bounded, so a long call cannot make a note the
helpdesk refuses or nobody scrolls through. The whole transcript goes with it as a text file
(``transcript-<conversation>.txt``), which helpdesks that take uploads attach (Zendesk, RT).
"""

from __future__ import annotations

import math
import re

import msgspec

from application.filing.pending_note import TicketNote
from domain.ticket import Attachment

AUTHOR = "ElevenLabs post-call webhook"
TITLE_CHARS = 200
SUMMARY_CHARS = 4_000
TURN_CHARS = 600
TRANSCRIPT_CHARS = 6_000
"""What the note shows of the transcript, at most; the attachment holds all of it."""
ROLES = {"agent": "Agent", "user": "Caller"}
TRANSCRIPT_TYPE = "text/plain; charset=utf-8"

# Control characters (C0 but newline and tab, DEL, C1) and the line/paragraph separators: a
# transcript is text from a speech recogniser and an LLM, shown verbatim to a person.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class CallTurn(msgspec.Struct, frozen=True, kw_only=True):
    """One turn of the conversation: who spoke (``agent``/``user``), what, and when."""

    role: str
    message: str | None = None
    time_in_call_secs: float | None = None
    tool_names: tuple[str, ...] = ()


class CallRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A finished call (ElevenLabs' ``post_call_transcription``), as the use case reads it."""

    event_type: str
    conversation_id: str
    title: str | None = None
    summary: str | None = None
    outcome: str | None = None
    duration_secs: float | None = None
    turns: tuple[CallTurn, ...] = ()


def render_call_note(record: CallRecord) -> TicketNote:
    """The internal note for ``record``: at most about 11,000 characters, whatever the call."""
    lines = [
        "Call summary (ElevenLabs)"
        + (f": {_one_line(record.title, TITLE_CHARS)}" if _present(record.title) else ""),
        f"Outcome: {_one_line(record.outcome, 40) if _present(record.outcome) else 'unknown'}",
        f"Duration: {duration_text(record.duration_secs)}",
        f"Conversation: {_one_line(record.conversation_id, 128)}",
        "",
        _paragraphs(record.summary, SUMMARY_CHARS) if _present(record.summary) else "(no summary)",
        "",
    ]
    turns = [turn_line(turn, TURN_CHARS) for turn in record.turns]
    if not turns:
        lines.append("Transcript: none")
        return TicketNote("\n".join(lines), AUTHOR)
    lines.append(f"Transcript ({_count(len(turns), 'turn')}):")
    shown = _fitting(turns, TRANSCRIPT_CHARS)
    lines += turns[:shown]
    name = transcript_filename(record.conversation_id)
    if shown < len(turns):
        lines.append(f"... {_count(len(turns) - shown, 'more turn')} in the attached {name}")
    attachment = Attachment(name, TRANSCRIPT_TYPE, transcript_text(record).encode())
    return TicketNote("\n".join(lines), AUTHOR, (attachment,))


def transcript_text(record: CallRecord) -> str:
    """The whole transcript as a text file: one line per turn, nothing cut."""
    head = f"Transcript of ElevenLabs conversation {_one_line(record.conversation_id, 128)}"
    return "\n".join([head, "", *(turn_line(turn, None) for turn in record.turns)]) + "\n"


def transcript_filename(conversation_id: str) -> str:
    """``transcript-<conversation>.txt`` with only characters every helpdesk keeps in a name."""
    safe = _UNSAFE_NAME.sub("_", conversation_id)[:80] or "call"
    return f"transcript-{safe}.txt"


def turn_line(turn: CallTurn, limit: int | None) -> str:
    """``[1:35] Agent: text (tools: handoff_to_human)`` on one line, the text cut at ``limit``."""
    role = ROLES.get(turn.role, _one_line(turn.role, 20).capitalize() or "Unknown")
    text = _one_line(turn.message, limit) if _present(turn.message) else ""
    if turn.tool_names:
        tools = ", ".join(_one_line(name, 64) for name in turn.tool_names[:5])
        text = f"{text} (tools: {tools})".strip()
    return f"[{clock_text(turn.time_in_call_secs)}] {role}: {text or '(no words)'}"


def duration_text(seconds: float | None) -> str:
    """``2 min 12 s``; ``unknown`` when not reported."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    whole = min(round(seconds), 10**7)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def clock_text(seconds: float | None) -> str:
    """A time in the call as ``m:ss`` (``h:mm:ss`` past an hour); ``-:--`` when unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "-:--"
    whole = min(int(seconds), 10**7)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _present(text: str | None) -> bool:
    return text is not None and bool(text.strip())


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _one_line(text: str | None, limit: int | None) -> str:
    return _cut(" ".join(_clean(text or "").split()), limit)


def _paragraphs(text: str | None, limit: int) -> str:
    """Line breaks kept (blank lines dropped), each line's whitespace collapsed."""
    lines = (" ".join(line.split()) for line in _clean(text or "").split("\n"))
    return _cut("\n".join(line for line in lines if line), limit)


def _fitting(lines: list[str], budget: int) -> int:
    """How many of ``lines``, from the first, fit in ``budget`` characters (newlines counted)."""
    used = 0
    for shown, line in enumerate(lines):
        used += len(line) + 1
        if used > budget:
            return shown
    return len(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")

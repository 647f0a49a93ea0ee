"""The 4-line hand-off note: render it, parse it back, enforce its limits, infer what it leaves out.

    Category: WiFi
    Reason: TwoStepsNoResolve
    Summary: Customer unable to connect to WiFi after router reset
    Confidence: 0.85

Limits (binding): the whole note <= 350 characters, the summary <= 250, confidence a string
from "0.0" to "1.0". A hand-off note is 10-350 characters; other free text 10-1000. A model that
fills confidence as a JSON number (0.85) gets the spec's string form of it ("0.85").
"""

from __future__ import annotations

import re

import msgspec

from domain.errors import InvalidInput, too_long, too_short
from domain.taxonomy import CATEGORY_VALUES, REASON_VALUES, Category, EscalationReason

NOTE_MIN_CHARS = 10
NOTE_MAX_CHARS = 350
SUMMARY_MAX_CHARS = 250
FREE_TEXT_MIN_CHARS = 10
FREE_TEXT_MAX_CHARS = 1000
CONFIDENCE_PATTERN = r"^(?:0(?:\.\d{1,3})?|1(?:\.0{1,3})?)$"
CONFIDENCE_MESSAGE = 'confidence must be a string from "0.0" to "1.0" (e.g. "0.85")'
CONFIDENCE_RANGE_MESSAGE = 'confidence must be from 0 to 1 (e.g. 0.85 or "0.85")'
CONFIDENCE_DECIMALS = 3  # the most the string form allows
UNSTATED_CONFIDENCE = "0.0"  # a note the bridge writes without a confidence: nobody vouched
NOTE_FORMAT_MESSAGE = (
    "note must be 4 lines: 'Category: ...', 'Reason: ...', 'Summary: ...', 'Confidence: ...'"
)
LINE_LABELS = ("Category", "Reason", "Summary", "Confidence")

_CONFIDENCE_RE = re.compile(CONFIDENCE_PATTERN)
_CATEGORY_BY_LOWER = {value.lower(): Category(value) for value in CATEGORY_VALUES}
_REASON_BY_LOWER = {value.lower(): EscalationReason(value) for value in REASON_VALUES}

# Keyword rules for free text, checked in order; the first that matches wins. Safety and
# outages first: when a caller mentions both, the urgent reading is the one a human must see.
_CATEGORY_RULES: tuple[tuple[re.Pattern[str], Category], ...] = (
    (
        re.compile(r"\b(outage|no service|service (is )?down|down in (the|my) area)\b", re.I),
        Category.OUTAGE,
    ),
    (re.compile(r"\b(cg-?nat|port forward\w*|public ip|double nat|nat)\b", re.I), Category.CGNAT),
    (re.compile(r"\b(wi-?fi|wireless|ssid|wlan)\b", re.I), Category.WIFI),
    (
        re.compile(r"\b(wiring|wire|wires|cable|cabling|jack|coax|ethernet|fiber drop)\b", re.I),
        Category.WIRING,
    ),
    (
        re.compile(r"\b(return\w*|send (it )?back|equipment return|ship back)\b", re.I),
        Category.EQUIPMENT_RETURN,
    ),
)
_REASON_RULES: tuple[tuple[re.Pattern[str], EscalationReason], ...] = (
    (
        re.compile(r"\b(safety|danger\w*|fire|smoke|spark\w*|shock|downed (line|wire))\b", re.I),
        EscalationReason.SAFETY_RISK,
    ),
    (
        re.compile(r"\b(bill\w*|charge\w*|payment|refund|invoice|account)\b", re.I),
        EscalationReason.BILLING_OR_ACCOUNT,
    ),
    (
        re.compile(r"\b(human|person|representative|real agent|speak to (a|an|someone))\b", re.I),
        EscalationReason.CALLER_REQUESTED,
    ),
    (
        re.compile(
            r"\b(two (troubleshooting )?steps|tried|troubleshoot\w*|did not (help|work)|"
            r"didn't (help|work)|no resolution)\b",
            re.I,
        ),
        EscalationReason.TWO_STEPS_NO_RESOLVE,
    ),
    (
        re.compile(r"\b(out of scope|cannot help|can't help|not supported)\b", re.I),
        EscalationReason.OUT_OF_SCOPE,
    ),
)
_CONFIDENCE_IN_TEXT = re.compile(r"\bconfidence\s*[:=]\s*([01](?:\.\d{1,3})?)\b", re.I)


def is_valid_confidence(value: str) -> bool:
    """True for "0", "0.85", "1.0" and the like; the wire carries confidence as a string."""
    return _CONFIDENCE_RE.match(value) is not None


def confidence_from_number(value: float) -> str:
    """The spec's string form of a confidence given as a number: 0.85 -> "0.85", 1 -> "1.0",
    rounded to the 3 decimals the form allows; ``InvalidInput`` outside 0-1."""
    if not 0 <= value <= 1:
        raise InvalidInput.single("confidence", CONFIDENCE_RANGE_MESSAGE)
    return str(round(float(value), CONFIDENCE_DECIMALS))


def category_from_label(label: str) -> Category | None:
    """The category a label names, case-insensitively (``wifi`` -> ``WiFi``), else None."""
    return _CATEGORY_BY_LOWER.get(label.strip().lower())


def reason_from_label(label: str) -> EscalationReason | None:
    """The escalation reason a label names, case-insensitively, else None."""
    return _REASON_BY_LOWER.get(label.strip().lower())


def infer_category(text: str) -> Category:
    """Best guess from free text; ``Unknown`` when nothing matches (never a refusal)."""
    for pattern, category in _CATEGORY_RULES:
        if pattern.search(text):
            return category
    return Category.UNKNOWN


def infer_reason(text: str) -> EscalationReason:
    """Best guess from free text; ``Other`` when nothing matches."""
    for pattern, reason in _REASON_RULES:
        if pattern.search(text):
            return reason
    return EscalationReason.OTHER


def infer_confidence(text: str) -> str | None:
    """A ``Confidence: x`` written anywhere in free text, if it is a valid confidence."""
    match = _CONFIDENCE_IN_TEXT.search(text)
    if match is None or not is_valid_confidence(match.group(1)):
        return None
    return match.group(1)


def summary_problem(summary: str) -> str | None:
    """What is wrong with a (stripped) one-line summary, or None when a note may hold it."""
    if not summary:
        return "summary must not be empty"
    if "\n" in summary or "\r" in summary:
        return "summary must be a single line"
    if len(summary) > SUMMARY_MAX_CHARS:
        return f"summary must be at most {SUMMARY_MAX_CHARS} characters"
    return None


def parse_summary(summary: str) -> str:
    """The summary as a note holds it (stripped); ``InvalidInput`` on ``summary`` otherwise."""
    text = summary.strip()
    problem = summary_problem(text)
    if problem is not None:
        raise InvalidInput.single("summary", problem)
    return text


class Note(msgspec.Struct, frozen=True):
    """A valid 4-line note: build it with ``Note.create`` or ``Note.parse``, which check rules.

    The parts' limits make every rendered note fit ``NOTE_MAX_CHARS`` (the longest labels, a
    full summary and the longest confidence stay under it; tests/unit/domain/test_note.py checks),
    so only a note written by hand can be too long, and ``parse`` refuses that.
    """

    category: Category
    reason: EscalationReason
    summary: str
    confidence: str

    @classmethod
    def create(
        cls, category: Category, reason: EscalationReason, summary: str, confidence: str
    ) -> Note:
        """Check the summary and confidence rules; raise ``InvalidInput`` naming each bad field."""
        errors: dict[str, list[str]] = {}
        summary = summary.strip()
        problem = summary_problem(summary)
        if problem is not None:
            errors["summary"] = [problem]
        if not is_valid_confidence(confidence):
            errors["confidence"] = [CONFIDENCE_MESSAGE]
        if errors:
            raise InvalidInput(errors)
        return cls(category, reason, summary, confidence)

    @classmethod
    def parse(cls, text: str) -> Note:
        """Read a 4-line note of ``NOTE_MIN_CHARS``-``NOTE_MAX_CHARS`` characters. Unknown
        category or reason labels fall back to inference from the summary (an agent's
        "Category: Internet" still files a ticket); the length, the shape, the summary limit and
        the confidence format are enforced, each error reported on ``note``."""
        if len(text) < NOTE_MIN_CHARS:
            raise InvalidInput.single("note", too_short(NOTE_MIN_CHARS))
        if len(text) > NOTE_MAX_CHARS:
            raise InvalidInput.single("note", too_long(NOTE_MAX_CHARS))
        lines = text.replace("\r\n", "\n").strip("\n").split("\n")
        values: list[str] = []
        if len(lines) == len(LINE_LABELS):
            for line, label in zip(lines, LINE_LABELS, strict=True):
                head, sep, value = line.partition(":")
                if not sep or head.strip().lower() != label.lower():
                    break
                values.append(value.strip())
        if len(values) != len(LINE_LABELS):
            raise InvalidInput.single("note", NOTE_FORMAT_MESSAGE)
        category_label, reason_label, summary, confidence = values
        problems: list[str] = []
        if not summary:
            problems.append("note Summary must not be empty")
        elif len(summary) > SUMMARY_MAX_CHARS:
            problems.append(f"note Summary must be at most {SUMMARY_MAX_CHARS} characters")
        if not is_valid_confidence(confidence):
            problems.append('note Confidence must be from "0.0" to "1.0" (e.g. 0.85)')
        if problems:
            raise InvalidInput({"note": problems})
        category = category_from_label(category_label) or infer_category(summary)
        reason = reason_from_label(reason_label) or infer_reason(summary)
        return cls(category, reason, summary, confidence)

    def render(self) -> str:
        """The canonical 4-line text."""
        return (
            f"Category: {self.category.value}\nReason: {self.reason.value}\n"
            f"Summary: {self.summary}\nConfidence: {self.confidence}"
        )


def looks_like_note(text: str) -> bool:
    """True when free text is written in the 4-line shape (so it should be parsed, not guessed)."""
    return text.lstrip().lower().startswith("category:")

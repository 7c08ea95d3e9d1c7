"""The authenticity guard: is a comment the sharer's own words?

People trust a colleague's voice, not a press release passed along. The composer
nudges (it never blocks) when a comment is empty, repeats a suggested caption, or
is near-identical to what colleagues already wrote on the same post.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, utils

# token_set_ratio ignores word order and repeated words, so a caption with a word
# swapped or an emoji added still counts as the caption.
NEAR_IDENTICAL = 85.0


@dataclass(frozen=True)
class Verdict:
    twist: str  # one of Share.Twist's values
    similarity: float | None = None  # 0–100, against the closest text


def _closest(comment: str, others: list[str]) -> float:
    return max((fuzz.token_set_ratio(comment, other, processor=utils.default_process) for other in others), default=0.0)


def judge(*, comment: str, captions: list[str], colleague_comments: list[str]) -> Verdict:
    if not comment.strip():
        return Verdict("empty")
    caption_score = _closest(comment, [caption for caption in captions if caption.strip()])
    if caption_score >= NEAR_IDENTICAL:
        return Verdict("caption", caption_score)
    colleague_score = _closest(comment, [text for text in colleague_comments if text.strip()])
    if colleague_score >= NEAR_IDENTICAL:
        return Verdict("near_duplicate", colleague_score)
    return Verdict("personal", max(caption_score, colleague_score))

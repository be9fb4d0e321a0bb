"""How the budget is split between tiers, and assembling a tier within its share.

Tier 1 is not negotiable: if it does not fit, the harvest fails with the
numbers (a silently truncated open file is worse than an error). What tier 1
leaves is shared out in tier order, each tier capped so that one greedy tier
cannot starve the structure tiers; whatever a tier does not use flows on, and
tier 4 (the repository map) takes the remainder.

Accounting is block by block: every block is counted exactly as rendered, plus
its heading and one token for each blank-line separator. That sum is what is
checked against the budget and reported; it is an upper bound of a count of
the joined text (blocks end in a fence, a word or ")", after which a blank line
costs at most one token, and the sum even counts one separator too many), so
the render always fits without a second tokenizer pass over the whole context
(~30 ms per 32k tokens on one core).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._model import TIER_TITLES, Tier, TierId, TierItem
from ._render import TokenCounter, tier_heading

SEPARATOR_TOKENS = 1
"""A blank line between blocks: one token after a fence or a word, none after ")" (cl100k)."""


@dataclass(frozen=True, slots=True)
class TierShares:
    """Caps on what each tier may take of the budget left after tier 1."""

    relevant: float = 0.65
    """Tier 2: the bulk, whole files (or excerpts of large ones) ranked for the query."""
    referenced: float = 0.12
    """Tier 3: signatures the selected code depends on."""
    history: float = 0.04
    """The recent-commits section..."""
    history_max_tokens: int = 800
    """...but never more than this: a commit list past a dozen lines is noise."""
    max_file_share: float = 0.5
    """A single tier-2 file larger than this share of tier 2 is shown as excerpts instead."""
    max_outline_share: float = 0.25
    """A single tier-4 outline larger than this share of tier 4 is cut to top-level symbols."""


@dataclass
class TierDraft:
    """A tier being filled: its blocks and a running (upper-bound) token count."""

    id: TierId
    budget: int
    counter: TokenCounter
    items: list[TierItem]
    used: int

    @classmethod
    def start(cls, tier_id: TierId, budget: int, counter: TokenCounter) -> TierDraft:
        heading = tier_heading(tier_id, TIER_TITLES[tier_id])
        return cls(tier_id, budget, counter, [], counter.count(heading, ("heading", tier_id)) + SEPARATOR_TOKENS)

    @property
    def remaining(self) -> int:
        return self.budget - self.used

    def fits(self, tokens: int) -> bool:
        return self.used + tokens + SEPARATOR_TOKENS <= self.budget

    def add(self, item: TierItem) -> None:
        self.items.append(item)
        self.used += item.tokens + SEPARATOR_TOKENS

    def finish(self) -> Tier:
        """The tier, with its accounted tokens (heading, blocks and one separator after each)."""
        if not self.items:
            return Tier(self.id, TIER_TITLES[self.id], (), 0, self.budget, "")
        text = "\n\n".join([tier_heading(self.id, TIER_TITLES[self.id]), *(item.text for item in self.items)])
        return Tier(self.id, TIER_TITLES[self.id], tuple(self.items), self.used, self.budget, text)


def render_tiers(tiers: Sequence[Tier]) -> str:
    return "\n\n".join(tier.text for tier in tiers if tier.text)


def enforce_budget(tiers: list[Tier], budget: int, counter: TokenCounter) -> tuple[list[Tier], int]:
    """Drop trailing blocks of the least important tiers while the accounted total exceeds the budget.

    The tier shares make this a no-op; it is the last line of defence of the guarantee.
    """
    order: list[TierId] = ["4", "history", "3", "2"]
    total = sum(t.tokens for t in tiers)
    while total > budget:
        victim = next((t for tid in order for t in tiers if t.id == tid and t.items), None)
        if victim is None:
            break
        draft = TierDraft.start(victim.id, victim.budget, counter)
        for item in victim.items[:-1]:
            draft.add(item)
        tiers = [draft.finish() if t is victim else t for t in tiers]
        total = sum(t.tokens for t in tiers)
    return tiers, total

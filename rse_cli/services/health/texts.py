"""What findings say: one message and one action per finding code, English in the code, French in
rse_cli/locale/fr/insight.po.

Findings are written in the content language (`settings.lang`), which may differ from the language
of the run, so every text goes through `_in(lang, …)` / `ngettext_in(lang, …)`. Plurals are whole
sentences chosen by the count the verb agrees with; a second count in the same sentence is a
fragment ("{n} day" / "{n} days") translated and formatted first, then inserted. Numbers are
formatted by Babel (`L10n.num/pct`) before insertion, so placeholders hold finished text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rse_cli.i18n import N_, _in, ngettext_in
from rse_cli.l10n import L10n

Text = Callable[..., tuple[str, str]]  # (lang, t, **values) -> (message, action)


# -- fragments: a count and its noun, inserted into a sentence that agrees with another count -----


def _days(lang: str, t: L10n, days: int) -> str:
    return ngettext_in(lang, "{n} day", "{n} days", days).format(n=t.num(days))


def _period(lang: str, t: L10n, days: int) -> str:
    """The audited window at the end of a sentence: 'in the last 30 days' / 'ces 30 derniers jours'."""
    return ngettext_in(lang, "in the last {n} day", "in the last {n} days", days).format(n=t.num(days))


# -- one function per finding code ------------------------------------------------------------


def _dormant(lang: str, t: L10n, days: int, last: str) -> tuple[str, str]:
    return (
        _in(lang, "No message for {days} (last: {last}).").format(days=_days(lang, t, days), last=last),
        _in(
            lang,
            "Post a question that concerns everyone this week and ask an animator to answer every reply within a day; "
            "if the community has no purpose any more, archive it.",
        ),
    )


def _unanswered_questions(lang: str, t: L10n, n: int, hours: int, share: float) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "{n} question without an answer from anyone else after {hours} h ({share} of the questions asked).",
        "{n} questions without an answer from anyone else after {hours} h ({share} of the questions asked).",
        n,
    )
    return (
        message.format(n=t.num(n), hours=t.num(hours), share=t.pct(share)),
        _in(lang, "Answer them, or mention someone who knows (a colleague, an expert, an animator) in a reply today."),
    )


def _slow_replies(lang: str, t: L10n, median: str, hours: int) -> tuple[str, str]:
    return (
        _in(lang, "Median time to a first reply is {median} h (threshold {hours} h).").format(median=median, hours=t.num(hours)),
        _in(lang, "Agree with the animators on who watches the community each day; turn on notifications for its rooms."),
    )


def _no_animator(lang: str, t: L10n) -> tuple[str, str]:
    return (
        _in(lang, "The community has no animator."),
        _in(lang, "Name an animator: `rse member add COMMUNITY PERSON --role animator`."),
    )


def _animator_not_joined(lang: str, t: L10n, n: int, names: str) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "The animator {names} is invited but has not joined yet.",
        "The animators {names} are invited but have not joined yet.",
        n,
    )
    return (
        message.format(names=names),
        _in(lang, "Remind them personally: a direct message saying why the community counts on them."),
    )


def _silent_animator(lang: str, t: L10n, n: int, days: int) -> tuple[str, str]:
    message = ngettext_in(
        lang, "{n} animator wrote nothing in the last {days}.", "{n} animators wrote nothing in the last {days}.", n
    )
    action = ngettext_in(
        lang,
        "Talk with them: offer a ready-made post, or find them a co-animator with more time.",
        "Talk with them: offer a ready-made post, or find them a co-animator with more time.",
        n,
    )
    return message.format(n=t.num(n), days=_days(lang, t, days)), action


def _low_participation(lang: str, t: L10n, n: int, members: int, ratio: str, days: int) -> tuple[str, str]:
    if n == 0:  # "none of", not "only 0": its own sentence, plural by the members
        message = ngettext_in(
            lang,
            "None of the {members} member wrote anything {period}.",
            "None of the {members} members wrote anything {period}.",
            members,
        )
    else:
        message = ngettext_in(
            lang,
            "Only {n} member out of {members} ({ratio}) wrote something {period}.",
            "Only {n} members out of {members} ({ratio}) wrote something {period}.",
            n,
        )
    return (
        message.format(n=t.num(n), members=t.num(members), ratio=ratio, period=_period(lang, t, days)),
        _in(
            lang,
            "Ask easy questions (a poll, a photo, “what are you working on?”), welcome newcomers by name, thank first posts.",
        ),
    )


def _concentration(lang: str, t: L10n, n: int, share: str) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "{n} person wrote {share} of the messages: without them, the community falls silent.",
        "{n} people wrote {share} of the messages: without them, the community falls silent.",
        n,
    )
    return (
        message.format(n=t.num(n), share=share),
        _in(
            lang,
            "Ask the most active posters to hand over the floor: invite others to share their experience, "
            "and reply to them first.",
        ),
    )


def _pending_invites(lang: str, t: L10n, n: int, days: int) -> tuple[str, str]:
    message = ngettext_in(
        lang, "{n} invitation pending for more than {days}.", "{n} invitations pending for more than {days}.", n
    )
    return (
        message.format(n=t.num(n), days=_days(lang, t, days)),
        _in(
            lang,
            "Remind these people personally (a direct message saying why the community matters to them), "
            "or withdraw the invitation.",
        ),
    )


def _quiet_top_contributors(lang: str, t: L10n, n: int, days: int) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "{n} member among the most active of the previous period has written nothing for {days}.",
        "{n} members among the most active of the previous period have written nothing for {days}.",
        n,
    )
    action = ngettext_in(
        lang,
        "A personal word: ask how they are and what would bring them back.",
        "A personal word: ask how they are and what would bring them back.",
        n,
    )
    return message.format(n=t.num(n), days=_days(lang, t, days)), action


def _newcomers_silent(lang: str, t: L10n, n: int, cohort: int) -> tuple[str, str]:
    joined = ngettext_in(lang, "{n} person who joined", "{n} people who joined", cohort).format(n=t.num(cohort))
    message = ngettext_in(
        lang,
        "{n} of the {joined} 30 to 90 days ago never wrote anything.",
        "{n} of the {joined} 30 to 90 days ago never wrote anything.",
        n,
    )
    return (
        message.format(n=t.num(n), joined=joined),
        _in(lang, "Invite them by name to a simple first step: introduce themselves, or answer one easy question."),
    )


def _silent_leaders(lang: str, t: L10n, n: int, total: int, days: int) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "{n} leader out of {total} wrote nothing {period}.",
        "{n} leaders out of {total} wrote nothing {period}.",
        n,
    )
    return (
        message.format(n=t.num(n), total=t.num(total), period=_period(lang, t, days)),
        _in(
            lang,
            "Offer each one a ready-to-use brief (three topics, in their own voice) and a 15-minute slot to post it.",
        ),
    )


def _low_reach(lang: str, t: L10n, share: str, people: int) -> tuple[str, str]:
    message = ngettext_in(
        lang,
        "{share} of the company's {people} person belong to no community.",
        "{share} of the company's {people} people belong to no community.",
        people,
    )
    return (
        message.format(share=share, people=t.num(people)),
        _in(lang, "Invite them where their work is discussed: `rse onboard` from the HR export."),
    )


TEXTS: dict[str, Text] = {
    "dormant": _dormant,
    "unanswered_questions": _unanswered_questions,
    "slow_replies": _slow_replies,
    "no_animator": _no_animator,
    "animator_not_joined": _animator_not_joined,
    "silent_animator": _silent_animator,
    "low_participation": _low_participation,
    "concentration": _concentration,
    "pending_invites": _pending_invites,
    "quiet_top_contributors": _quiet_top_contributors,
    "newcomers_silent": _newcomers_silent,
    "silent_leaders": _silent_leaders,
    "low_reach": _low_reach,
}

# short labels of a finding's evidence (translated when used, in the content language)
WORDS = {
    "last": N_("last message: {last}"),
    "never": N_("never"),
    "messages": "{name} ({n})",  # nothing to translate: a name and a count
}


def text(lang: str, code: str, **values: Any) -> tuple[str, str]:
    """The message and the action of finding `code`, in `lang` (the content language)."""
    return TEXTS[code](lang, L10n(lang), **values)


def word(lang: str, key: str, **values: Any) -> str:
    return _in(lang, WORDS[key]).format(**values)

"""What findings say, in French and English, with plurals and numbers from Babel (rse_cli.l10n).

Each entry: code -> (message(t, **values), action). `t` is an L10n: `t.n(3, "question", "questions")`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rse_cli.l10n import L10n

NA = ("n'a", "n'ont")  # French negation before a vowel, singular / plural (kept out of f-strings' quotes)
Text = tuple[Callable[..., str], "str | Callable[..., str]"]  # (message, action): either may depend on the values

EN: dict[str, Text] = {
    "dormant": (
        lambda t, days, last: f"No message for {t.n(days, 'day', 'days')} (last: {last}).",
        (
            "Post a question that concerns everyone this week and ask an animator to answer every reply within a day; "
            "if the community has no purpose any more, archive it."
        ),
    ),
    "unanswered_questions": (
        lambda t, n, hours, share: (
            f"{t.n(n, 'question', 'questions')} without an answer from anyone else "
            f"after {hours} h ({t.pct(share)} of the questions asked)."
        ),
        "Answer them, or mention someone who knows (a colleague, an expert, an animator) in a reply today.",
    ),
    "slow_replies": (
        lambda t, median, hours: f"Median time to a first reply is {median} h (threshold {hours} h).",
        "Agree with the animators on who watches the community each day; turn on notifications for its rooms.",
    ),
    "no_animator": (
        lambda t: "The community has no animator.",
        "Name an animator: `rse member add COMMUNITY PERSON --role animator`.",
    ),
    "animator_not_joined": (
        lambda t, n, names: (
            f"{t.word(n, 'The animator', 'The animators')} {names} "
            f"{t.word(n, 'is', 'are')} invited but {t.word(n, 'has', 'have')} not joined yet."
        ),
        "Remind them personally: a direct message saying why the community counts on them.",
    ),
    "silent_animator": (
        lambda t, n, days: f"{t.n(n, 'animator', 'animators')} wrote nothing in the last {t.n(days, 'day', 'days')}.",
        lambda t, n, **_: (
            f"Talk with {t.word(n, 'them', 'them')}: offer a ready-made post, or find "
            f"{t.word(n, 'them', 'them')} a co-animator with more time."
        ),
    ),
    "low_participation": (
        lambda t, n, members, ratio, days: (
            (
                f"None of the {t.n(members, 'member', 'members')} wrote anything"
                if n == 0
                else f"Only {t.num(n)} of {t.n(members, 'member', 'members')} ({ratio}) wrote something"
            )
            + f" in the last {t.n(days, 'day', 'days')}."
        ),
        "Ask easy questions (a poll, a photo, 'what are you working on?'), welcome newcomers by name, thank first posts.",
    ),
    "concentration": (
        lambda t, n, share: (
            f"{t.n(n, 'person', 'people')} wrote {share} of the messages: without them, the community falls silent."
        ),
        "Ask the most active posters to hand over the floor: invite others to share their experience, and reply to them first.",
    ),
    "pending_invites": (
        lambda t, n, days: f"{t.n(n, 'invitation', 'invitations')} pending for more than {t.n(days, 'day', 'days')}.",
        "Remind these people personally (a direct message saying why the community matters to them), or withdraw the invitation.",
    ),
    "quiet_top_contributors": (
        lambda t, n, days: (
            f"{t.n(n, 'member', 'members')} among the most active of the previous period "
            f"{t.word(n, 'has', 'have')} written nothing for {t.n(days, 'day', 'days')}."
        ),
        "A personal word: ask how they are and what would bring them back.",
    ),
    "newcomers_silent": (
        lambda t, n, cohort: (
            f"{t.num(n)} of the {t.n(cohort, 'person', 'people')} who joined 30 to 90 days ago never wrote anything."
        ),
        "Invite them by name to a simple first step: introduce themselves, or answer one easy question.",
    ),
    "silent_leaders": (
        lambda t, n, total, days: (
            f"{t.num(n)} of {t.n(total, 'leader', 'leaders')} wrote nothing in the last {t.n(days, 'day', 'days')}."
        ),
        "Offer each one a ready-to-use brief (three topics, in their own voice) and a 15-minute slot to post it.",
    ),
    "low_reach": (
        lambda t, share, people: f"{share} of the company's {t.n(people, 'person', 'people')} belong to no community.",
        "Invite them where their work is discussed: `rse onboard` from the HR export.",
    ),
}

FR: dict[str, Text] = {
    "dormant": (
        lambda t, days, last: f"Aucun message depuis {t.n(days, 'jour', 'jours')} (dernier : {last}).",
        (
            "Publiez cette semaine une question qui concerne tout le monde et demandez à un animateur de répondre à chaque "
            "réaction sous 24 h ; si la communauté n'a plus de raison d'être, archivez-la."
        ),
    ),
    "unanswered_questions": (
        lambda t, n, hours, share: (
            f"{t.n(n, 'question', 'questions')} sans réponse d'une autre personne "
            f"après {hours} h ({t.pct(share)} des questions posées)."
        ),
        "Répondez-y, ou mentionnez aujourd'hui dans une réponse quelqu'un qui sait (un collègue, un expert, un animateur).",
    ),
    "slow_replies": (
        lambda t, median, hours: f"La première réponse arrive en {median} h (médiane ; seuil {hours} h).",
        "Convenez avec les animateurs de qui veille sur la communauté chaque jour ; activez les notifications de ses salons.",
    ),
    "no_animator": (
        lambda t: "La communauté n'a pas d'animateur.",
        "Nommez un animateur : `rse member add COMMUNAUTÉ PERSONNE --role animator`.",
    ),
    "animator_not_joined": (
        lambda t, n, names: f"L'animation est confiée à {names}, qui {t.word(n, *NA)} pas encore rejoint la communauté.",
        "Relancez personnellement : un message direct qui dit pourquoi la communauté compte sur cette animation.",
    ),
    "silent_animator": (
        lambda t, n, days: f"{t.n(n, 'animateur', 'animateurs')} sans message depuis {t.n(days, 'jour', 'jours')}.",
        lambda t, n, **_: (
            f"{t.word(n, 'Parlez-lui', 'Parlez-leur')} : proposez un message prêt à publier, "
            "ou trouvez un co-animateur plus disponible."
        ),
    ),
    "low_participation": (
        lambda t, n, members, ratio, days: (
            (
                f"Aucun des {t.n(members, 'membre', 'membres')} n'a écrit"
                if n == 0
                else f"Seulement {t.num(n)} {t.word(n, 'membre', 'membres')} sur {t.num(members)} ({ratio}) "
                f"{t.word(n, 'a', 'ont')} écrit"
            )
            + f" ces {t.num(days)} derniers jours."
        ),
        "Posez des questions faciles (un sondage, une photo, « sur quoi travaillez-vous ? »), accueillez les nouveaux par leur nom, remerciez les premiers messages.",
    ),
    "concentration": (
        lambda t, n, share: (
            f"{t.n(n, 'personne a', 'personnes ont')} écrit {share} des messages : "
            f"sans {t.word(n, 'elle', 'elles')}, la communauté se tait."
        ),
        "Demandez aux plus actifs de passer la parole : invitez d'autres membres à partager leur expérience et répondez-leur en premier.",
    ),
    "pending_invites": (
        lambda t, n, days: f"{t.n(n, 'invitation', 'invitations')} en attente depuis plus de {t.n(days, 'jour', 'jours')}.",
        "Relancez ces personnes personnellement (un message direct qui dit pourquoi la communauté les concerne), ou retirez l'invitation.",
    ),
    "quiet_top_contributors": (
        lambda t, n, days: (
            f"{t.n(n, 'membre parmi les plus actifs', 'membres parmi les plus actifs')} de la période "
            f"précédente {t.word(n, *NA)} rien écrit depuis {t.n(days, 'jour', 'jours')}."
        ),
        lambda t, n, **_: (
            f"Un mot personnel : prenez de {t.word(n, 'ses', 'leurs')} nouvelles et "
            f"demandez ce qui {t.word(n, 'le ferait', 'les ferait')} revenir."
        ),
    ),
    "newcomers_silent": (
        lambda t, n, cohort: (
            f"{t.num(n)} des {t.n(cohort, 'personne arrivée', 'personnes arrivées')} il y a 30 à 90 jours "
            f"{t.word(n, *NA)} encore rien écrit."
        ),
        "Invitez-les par leur nom à un premier pas simple : se présenter, ou répondre à une question facile.",
    ),
    "silent_leaders": (
        lambda t, n, total, days: (
            f"{t.num(n)} {t.word(total, 'dirigeant', 'dirigeants')} sur {t.num(total)} "
            f"{t.word(n, *NA)} rien écrit ces {t.num(days)} derniers jours."
        ),
        "Proposez à chacun un brief prêt à l'emploi (trois sujets, dans ses mots) et un créneau de 15 minutes pour publier.",
    ),
    "low_reach": (
        lambda t, share, people: (
            f"{share} des {t.n(people, 'personne', 'personnes')} de l'entreprise ne sont dans aucune communauté."
        ),
        "Invitez-les là où l'on parle de leur travail : `rse onboard` depuis l'export RH.",
    ),
}

WORDS = {
    "en": {"last": "last message: {last}", "never": "never", "messages": "{name} ({n})"},
    "fr": {"last": "dernier message : {last}", "never": "jamais", "messages": "{name} ({n})"},
}


def text(lang: str, code: str, **values: Any) -> tuple[str, str]:
    table = FR if lang == "fr" else EN
    message, action = table[code]
    t = L10n(lang)
    return message(t, **values), action(t, **values) if callable(action) else action


def word(lang: str, key: str, **values: Any) -> str:
    return WORDS.get(lang, WORDS["en"])[key].format(**values)

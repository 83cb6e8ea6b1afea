"""Audit reports as files: a CSV row per community, and a self-contained HTML report (inline
CSS and SVG charts, no script, nothing fetched) that a champion can forward to a director."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from rse_cli.errors import InputError
from rse_cli.i18n import _
from rse_cli.services.health import SEVERITY_RANK, AuditReport, CommunityHealth

if TYPE_CHECKING:
    from rse_cli.config import Settings

# messages = posts + replies (inline and thread): the same vocabulary as the table, history, JSON and HTML
CSV_METRICS = (
    "members",
    "new_members",
    "active_members",
    "contributors",
    "lurkers",
    "contributor_ratio",
    "messages",
    "posts",
    "replies",
    "reactions",
    "introductions",
    "questions",
    "unanswered_questions",
    "unanswered_share",
    "median_first_reply_hours",
    "last_post_at",
    "days_since_last_post",
    "animators",
    "animators_invited",
    "animator_posts",
    "leader_posts",
    "pending_invites",
    "top10_share",
    "absence_factor",
    "engaged_share",
)
LEVEL_COLORS = {"core": "#1d4ed8", "regular": "#3b82f6", "occasional": "#93c5fd", "observer": "#e5e7eb"}
CHAR_W = 7.4  # average width of a 13px system-ui character, to size labels instead of clipping them
PALETTE = ["#2563eb", "#0d9488", "#9333ea", "#ea580c", "#db2777", "#65a30d", "#0891b2", "#ca8a04"]


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(_("{path}: cannot write: {reason}").format(path=path, reason=exc.strerror)) from None


def write_csv(report: AuditReport, path: Path) -> None:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["community", "id", "score", "band", *CSV_METRICS, *(f"level_{k}" for k in LEVEL_COLORS), "findings"])
    for c in report.communities:
        levels = c.metrics.get("member_levels") or {}
        w.writerow(
            [
                c.name,
                c.id,
                c.score,
                c.band,
                *("" if c.metrics.get(k) is None else c.metrics[k] for k in CSV_METRICS),
                *(levels.get(k, "") for k in LEVEL_COLORS),
                " ".join(f"{f.code}:{f.severity}" for f in c.findings),
            ]
        )
    _write(path, buf.getvalue())


# -- charts (inline SVG) -------------------------------------------------------------------
def tone(score: int, green: int = 70, amber: int = 40) -> str:
    return "#16a34a" if score >= green else "#d97706" if score >= amber else "#dc2626"


def score_bars(report: AuditReport, bands: tuple[int, int] = (70, 40)) -> Markup:
    # a community too new to score has no bar (report.scored() leaves it out)
    rows = sorted(((c, c.score or 0) for c in report.scored()), key=lambda cs: -cs[1])
    # the label column fits the longest name: a name is never clipped ("lub Sport & Lois…")
    longest = max((len(c.name) for c, _score in rows), default=10)
    bar_h, gap = 22, 10
    label_w = int(min(240, 20 + CHAR_W * min(longest, 30)))
    width = label_w + 330
    height = len(rows) * (bar_h + gap) + 30
    scale = (width - label_w - 60) / 100
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="score per community">']
    for x in (0, 25, 50, 75, 100):
        px = label_w + x * scale
        parts.append(
            f'<line x1="{px:.1f}" y1="0" x2="{px:.1f}" y2="{height - 22}" stroke="#e5e7eb"/>'
            f'<text x="{px:.1f}" y="{height - 6}" font-size="11" fill="#6b7280" text-anchor="middle">{x}</text>'
        )
    for i, (c, score) in enumerate(rows):
        y = i * (bar_h + gap) + 4
        w = max(2.0, score * scale)
        parts.append(
            f'<text x="{label_w - 12}" y="{y + bar_h / 2 + 5}" font-size="13" fill="#1f2937" text-anchor="end">{escape(_short(c.name, 30))}'
            f"<title>{escape(c.name)}</title></text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="5" fill="{tone(score, *bands)}"/>'
            f'<text x="{label_w + w + 8:.1f}" y="{y + bar_h / 2 + 5}" font-size="13" font-weight="700" fill="#1f2937">{score}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def activity_lines(report: AuditReport, day: Callable[[str], str] = lambda iso: iso[5:]) -> tuple[Markup, list[dict[str, Any]]]:
    """Weekly messages per community (lines), and the legend."""
    series = [(c, [w["messages"] for w in c.metrics["activity_by_week"]]) for c in report.communities]
    series = sorted(series, key=lambda cs: -sum(cs[1]))[: len(PALETTE)]  # more lines than colours is unreadable
    if not series:
        return Markup(""), []
    weeks = [w["week_start"] for w in report.communities[0].metrics["activity_by_week"]]
    width, height, left, bottom, top = 480, 220, 34, 30, 10
    peak = max([1, *(v for _, s in series for v in s)])
    step = _nice(peak)
    ymax = step * math.ceil(peak / step)
    n = max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + i * (width - left - 16) / n

    def y(v: float) -> float:
        return float(top + (height - top - bottom) * (1 - v / ymax))

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="activity over time">']
    for v in range(0, int(ymax) + 1, int(step)):
        parts.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - 16}" y2="{y(v):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 8}" y="{y(v) + 4:.1f}" font-size="11" fill="#6b7280" text-anchor="end">{v}</text>'
        )
    for i, wk in enumerate(weeks):
        if i % 2 == 0 or len(weeks) <= 8:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" font-size="11" fill="#6b7280" text-anchor="middle">{escape(day(wk))}</text>'
            )
    legend = []
    for k, (c, s) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
        )
        parts.append(f'<circle cx="{x(len(s) - 1):.1f}" cy="{y(s[-1]):.1f}" r="3.5" fill="{color}"/>')
        legend.append({"name": c.name, "color": color, "total": sum(s)})
    parts.append("</svg>")
    return Markup("".join(parts)), legend


def _nice(peak: float) -> int:
    raw = peak / 4
    mag = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return max(1, int(m * mag))
    return max(1, int(10 * mag))


def sparkline(c: CommunityHealth, weeks_label: str = "weeks", now_label: str = "now") -> Markup:
    values = [w["messages"] for w in c.metrics["activity_by_week"]]
    width, height = 240, 56
    peak = max([1, *values])
    bw = width / len(values)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="weekly messages">']
    for i, v in enumerate(values):
        h = max(1.5, (height - 14) * v / peak) if v else 1.5
        parts.append(
            f'<rect x="{i * bw + 2:.1f}" y="{height - 12 - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" rx="2" '
            f'fill="{"#2563eb" if v else "#d1d5db"}"><title>{c.metrics["activity_by_week"][i]["week_start"]}: {v}</title></rect>'
        )
    parts.append(
        f'<text x="0" y="{height - 1}" font-size="10" fill="#6b7280">{len(values)} {escape(weeks_label)}</text>'
        f'<text x="{width}" y="{height - 1}" font-size="10" fill="#6b7280" text-anchor="end">{escape(now_label)}</text></svg>'
    )
    return Markup("".join(parts))


def pyramid(c: CommunityHealth, labels: dict[str, str], pct: Callable[[float], str] = lambda x: f"{x:.0%}") -> Markup:
    """Participation pyramid: who posts, who replies, who only reacts, who stays silent."""
    p = c.metrics["participation"]
    layers = [("posters", "#1d4ed8"), ("repliers", "#3b82f6"), ("reactors", "#93c5fd"), ("silent", "#e5e7eb")]
    total = max(1, sum(p[k] for k, _ in layers))
    width, lh, cx = 330, 30, 110
    parts = [
        f'<svg viewBox="0 0 {width} {lh * 4 + 4}" width="{width}" height="{lh * 4 + 4}" role="img" aria-label="participation pyramid">'
    ]
    for i, (key, color) in enumerate(layers):
        top_half, bottom_half = 18 + i * 24, 18 + (i + 1) * 24
        y0, y1 = i * lh + 2, (i + 1) * lh
        parts.append(
            f'<polygon points="{cx - top_half},{y0} {cx + top_half},{y0} {cx + bottom_half},{y1} {cx - bottom_half},{y1}" fill="{color}"/>'
        )
        share = p[key] / total
        ink = "#ffffff" if i < 2 else "#1f2937"
        parts.append(
            f'<text x="{cx}" y="{(y0 + y1) / 2 + 4}" font-size="11" font-weight="700" fill="{ink}" text-anchor="middle">{escape(pct(share))}</text>'
            f'<text x="{cx + 128}" y="{(y0 + y1) / 2 + 4}" font-size="12" fill="#374151">{escape(labels[key])} · {p[key]}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def levels_bar(c: CommunityHealth, labels: dict[str, str]) -> Markup:
    """Member levels (last 28 days) as one stacked bar with its legend: core, regular, occasional, observer."""
    levels = c.metrics.get("member_levels") or {}
    total = max(1, sum(levels.get(k, 0) for k in LEVEL_COLORS))
    width, bar_h = 330, 26
    parts = [f'<svg viewBox="0 0 {width} 96" width="{width}" height="96" role="img" aria-label="{escape(labels["levels"])}">']
    x = 0.0
    for key, color in LEVEL_COLORS.items():
        n = levels.get(key, 0)
        w = width * n / total
        if n:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{color}"><title>{escape(labels[key])}: {n}</title></rect>'
            )
            if w >= 26:
                ink = "#ffffff" if key in ("core", "regular") else "#1f2937"
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{bar_h / 2 + 5}" font-size="12" font-weight="700" fill="{ink}" text-anchor="middle">{n}</text>'
                )
        x += w
    for i, (key, color) in enumerate(LEVEL_COLORS.items()):
        lx, ly = (i % 2) * 165, 44 + (i // 2) * 24
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" rx="3" fill="{color}" stroke="#d1d5db"/>'
            f'<text x="{lx + 18}" y="{ly + 11}" font-size="12" fill="#374151">{escape(labels[key])} · {levels.get(key, 0)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def retention_funnel(r: dict[str, Any], labels: dict[str, str], t: Any = None) -> Markup:
    """Newcomer retention as three shrinking bars: joined 30-90 days ago, wrote once, wrote in the last 28 days.

    `labels[key]` is "one|other" (the label agrees with its count through `t`, an L10n)."""
    cohort = r.get("cohort", 0)
    width, bar_h, bar_max = 440, 22, 130
    rows = [("cohort", cohort, "#0d9488"), ("posted", r.get("posted", 0), "#14b8a6"), ("active", r.get("active", 0), "#5eead4")]
    parts = [
        f'<svg viewBox="0 0 {width} {len(rows) * 30}" width="{width}" height="{len(rows) * 30}" role="img" aria-label="{escape(labels["retention"])}">'
    ]
    for i, (key, n, color) in enumerate(rows):
        one, _, other = labels[key].partition("|")
        word = t.word(n, one, other or one) if t is not None else (other or one)
        w = max(2.0, bar_max * n / cohort) if cohort else 2.0
        y = i * 30
        share = f" ({t.pct(n / cohort) if t is not None else f'{n / cohort:.0%}'})" if cohort and key != "cohort" else ""
        parts.append(
            f'<rect x="0" y="{y}" width="{w:.1f}" height="{bar_h}" rx="4" fill="{color}"/>'
            f'<text x="{w + 8:.1f}" y="{y + 16}" font-size="12" fill="#374151"><tspan font-weight="700">{n}</tspan>{escape(share)} {escape(word)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def gauge(score: int | None, bands: tuple[int, int] = (70, 40)) -> Markup:
    r, circ = 26, 2 * math.pi * 26
    if score is None:  # too new to score: an empty ring and a dash, never a red 0
        return Markup(
            f'<svg viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="score –">'
            f'<circle cx="32" cy="32" r="{r}" fill="none" stroke="#e5e7eb" stroke-width="7"/>'
            f'<text x="32" y="38" font-size="18" font-weight="700" fill="#6b7280" text-anchor="middle">–</text></svg>'
        )
    dash = circ * score / 100
    return Markup(
        f'<svg viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="score {score}">'
        f'<circle cx="32" cy="32" r="{r}" fill="none" stroke="#e5e7eb" stroke-width="7"/>'
        f'<circle cx="32" cy="32" r="{r}" fill="none" stroke="{tone(score, *bands)}" stroke-width="7" stroke-linecap="round" '
        f'stroke-dasharray="{dash:.1f} {circ:.1f}" transform="rotate(-90 32 32)"/>'
        f'<text x="32" y="38" font-size="18" font-weight="700" fill="#111827" text-anchor="middle">{score}</text></svg>'
    )


def write_html(report: AuditReport, path: Path, *, settings: Settings) -> None:
    """Render templates/report.html.j2 (or the user's override) with autoescaping, to `path`."""
    _write(path, render_html(report, settings=settings))


def render_html(report: AuditReport, *, settings: Settings) -> str:
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    from rse_cli.templating import Templates

    source_path = Templates(settings.templates_dir, settings.lang).find("report")
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    try:
        template = env.from_string(source_path.read_text(encoding="utf-8"))
    except TemplateError as exc:
        raise InputError(
            _("{path}:{line}: template error: {error}").format(path=source_path, line=getattr(exc, "lineno", "?"), error=exc)
        ) from None
    from rse_cli.l10n import L10n
    from rse_cli.services.health import bands as bands_of

    bands = bands_of(settings)
    t = L10n(settings.lang)
    lines, legend = activity_lines(report, t.short)
    everything = [f for c in report.communities for f in c.findings] + report.findings
    counts = {s: sum(1 for f in everything if f.severity == s) for s in SEVERITY_RANK}
    scored = report.scored()
    # most fragile first; those too new to score last (they have no score to compare)
    ordered = sorted(report.communities, key=lambda c: (c.score is None, c.score or 0))
    try:
        return template.render(
            lang=settings.lang,
            report=report,
            communities=ordered,
            score_bars=score_bars(report, bands),
            activity=lines,
            legend=legend,
            sparkline=sparkline,
            pyramid=lambda c, labels: pyramid(c, labels, t.pct),
            gauge=lambda s: gauge(s, bands),
            tone=lambda s: tone(s, *bands),
            counts=counts,
            levels_bar=levels_bar,
            retention_funnel=retention_funnel,
            t=t,
            bands=bands,
            # over the scored communities only: a community too new to score never drags it down
            average=round(sum(c.score or 0 for c in scored) / len(scored)) if scored else None,
            members=report.people,
            by_severity=lambda fs: sorted(fs, key=lambda f: -SEVERITY_RANK[f.severity]),
        )
    except TemplateError as exc:
        raise InputError(_("{path}: report template error: {error}").format(path=source_path, error=exc)) from None

"""The wave report to send: one page with the headline, top gaps, single points of knowledge, the
cloud split, the movers and the tech radar, in English or Japanese, as HTML or PDF.

    python -m analytics.report --db PATH --wave LABEL --format html|pdf --out FILE [--lang ja]

Every figure comes from the dashboards' metric functions for the whole organisation, so the
minimum group size applies exactly as on screen. The PDF is the same HTML through WeasyPrint.
Exit codes: 0 written, 2 usage error, 3 nothing written (one line on stderr says why).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from analytics import settings as settings_mod
from analytics.cloud import cloud_preferred_split
from analytics.coverage import single_points_of_knowledge, top_gaps
from analytics.db import AnalyticsError, reader
from analytics.filters import Filters
from analytics.overview import overview_headline
from analytics.radar import RING_NAMES, RadarRulesError, load_rules, tech_radar
from analytics.radar import TEXT as RADAR_TEXT
from analytics.radar_chart import radar_svg
from analytics.settings import Settings
from analytics.trends import movers
from analytics.waves import wave_list
from schemas import settings as config

FORMATS = ("html", "pdf")
TEMPLATE = Path(__file__).with_name("report_template.html")

# User-facing text of the report and the command, by language (to move into the message catalogue).
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Skills survey: wave {wave}", "generated": "Generated {date} from {n_waves} waves in the database.",
        "respondents": "Respondents", "response_rate": "Response rate", "coverage_index": "Coverage index",
        "single_points": "Single points of knowledge", "since": "{delta} since {prev}",
        "hidden": "hidden", "unknown": "–",
        "gaps": "Top gaps against target", "no_gaps": "Every area is at or above its target, or has no target.",
        "area": "Area", "coverage": "Coverage", "target": "Target", "gap": "Gap",
        "spok": "Single points of knowledge", "no_spok": "No skill depends on {limit} person or fewer.",
        "skill": "Skill", "bench": "People at the threshold", "answered": "Answered",
        "cloud": "Preferred cloud provider", "no_cloud": "Nobody answered the preferred-provider question.",
        "provider": "Provider", "share": "Share",
        "movers": "Biggest movers since {prev}", "no_movers": "No earlier wave to compare with, or nothing moved.",
        "change": "Change", "radar": "Tech radar",
        "method": "Coverage: the share of those who answered who are at level {threshold} or above. "
                  "Groups smaller than {k} people are hidden.",
    },
    "ja": {
        "title": "スキル調査: {wave}", "generated": "{date}作成(データベース内の{n_waves}回の調査から)。",
        "respondents": "回答者数", "response_rate": "回答率", "coverage_index": "カバレッジ指数",
        "single_points": "属人化スキル", "since": "{prev}から{delta}",
        "hidden": "非表示", "unknown": "–",
        "gaps": "目標との差が大きい領域", "no_gaps": "すべての領域が目標以上です(または目標が未設定です)。",
        "area": "領域", "coverage": "カバレッジ", "target": "目標", "gap": "差",
        "spok": "属人化スキル", "no_spok": "{limit}人以下に依存するスキルはありません。",
        "skill": "スキル", "bench": "基準以上の人数", "answered": "回答数",
        "cloud": "希望するクラウド", "no_cloud": "希望するクラウドの質問に回答した人はいません。",
        "provider": "クラウド", "share": "割合",
        "movers": "{prev}からの変化が大きいスキル", "no_movers": "比較できる前回の調査がないか、変化がありません。",
        "change": "変化", "radar": "技術レーダー",
        "method": "カバレッジ: 回答者のうちレベル{threshold}以上の人の割合。{k}人未満のグループは表示しません。",
    },
}

# The command's own messages (English, like the other command-line tools).
CLI_TEXT = {
    "no_wave": "no wave labelled {wave!r} in the database (waves: {waves})",
    "no_db": "no database at {db}",
    "written": "wrote {out} ({size:,} bytes)",
}


class ReportError(Exception):
    """Why no report was written; one line."""


def report_html(db: str, wave_label: str, s: Settings, lang: str = "en", today: dt.date | None = None) -> str:
    """The report for the wave labelled ``wave_label``, as one HTML document."""
    t = TEXT[lang]
    with reader(db) as con:
        waves = wave_list(con)
    match = waves[waves["label"] == wave_label]
    if match.empty:
        raise ReportError(CLI_TEXT["no_wave"].format(wave=wave_label, waves=", ".join(waves["label"]) or "none"))
    f = Filters(wave_id=int(match["wave_id"].iloc[0]), lang=lang)
    try:
        rules = load_rules()
    except RadarRulesError as exc:
        raise ReportError(str(exc)) from exc
    head = overview_headline(db, f, s).iloc[0]
    prev = head["prev_wave_label"]
    radar = tech_radar(db, f, s, rules)
    radar_drawing = None
    if radar["ring"].notna().any():
        radar_drawing = radar_svg(radar, RING_NAMES[lang], f"{RADAR_TEXT[lang]['title']} {wave_label}", lang)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = _pct
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        t=t, lang=lang, wave=wave_label, prev=prev, s=s,
        date=(today or dt.date.today()).isoformat(), n_waves=len(waves),
        head=_headline(head, t),
        gaps=_records(top_gaps(db, f, s, limit=5)),
        spok=_records(single_points_of_knowledge(db, f, s).head(10)),
        cloud=_records(cloud_preferred_split(db, f, s, by="all")),
        movers=_records(movers(db, f, s, population="all", limit=5)),
        radar=jinja2.filters.Markup(radar_drawing) if radar_drawing else None,
    )


def report_pdf(html: str) -> bytes:
    """The HTML report as PDF (WeasyPrint, on the system's pango)."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def _headline(head: pd.Series, text: dict[str, str]) -> dict[str, str]:
    hidden = bool(head["suppressed"])
    delta = head["coverage_index_delta"]
    return {
        "respondents": text["hidden"] if hidden else str(int(head["n_respondents"])),
        "response_rate": _pct(head["response_rate"]),
        "coverage_index": _pct(head["coverage_index"]),
        "coverage_delta": "" if pd.isna(delta) else text["since"].format(delta=f"{delta * 100:+.1f} pp",
                                                                      prev=head["prev_wave_label"]),
        "single_points": text["unknown"] if pd.isna(head["n_single_points"]) else str(int(head["n_single_points"])),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows for the template; hidden values become None (shown as –)."""
    return [{key: (None if _missing(value) else value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def _missing(value) -> bool:
    return not isinstance(value, str) and bool(pd.isna(value))


def _pct(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.report", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database (default $SKILLS_DB or data/skills.duckdb)")
    parser.add_argument("--wave", required=True, metavar="LABEL", help="the wave's label, e.g. 2025-H1")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--out", required=True, metavar="FILE")
    parser.add_argument("--lang", default="en", choices=("en", "ja"))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    db = config.db_path(args.db)
    try:
        if config.is_local(db) and not Path(db).exists():
            raise ReportError(CLI_TEXT["no_db"].format(db=db))
        html = report_html(db, args.wave, settings_mod.load(), args.lang)
        data = report_pdf(html) if args.format == "pdf" else html.encode("utf-8")
        Path(args.out).write_bytes(data)
    except (ReportError, AnalyticsError, settings_mod.SettingsError, duckdb.Error, OSError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    print(CLI_TEXT["written"].format(out=args.out, size=len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

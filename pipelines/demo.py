"""The embedded demo: a synthetic organisation's four survey waves, as export files, loaded for real.

    python -m pipelines.demo [--db PATH] [--out DIR] [--seed N]

Each wave is written the way HR would hand it over (Google Forms style: a timestamp, the email,
team / role / location, one grid column per skill, cloud and learning questions): one wave in
Japanese as UTF-8 with BOM, one as XLSX. Then every file goes through pipelines.ingest exactly
like an uploaded export, so the demo exercises the same code path as real data.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd

from pipelines.demo_org import DEFAULT_SEED, Organisation, WaveSpec, generate
from schemas.settings import DATA_DIR, db_path

DEFAULT_OUT = DATA_DIR / "demo_exports"
LOADED_BY = "demo"
HEADCOUNT_FILE = "headcount.yaml"
JOIN = ";"

# Column headers and level labels of the form, in each language.
HEADERS = {
    "en": {"submitted_at": "Timestamp", "email": "Email Address", "team": "Team", "role": "Role",
           "location": "Location", "grid": "Rate your proficiency [{}]", "preferred": "Which cloud do you prefer?",
           "uses": "Which clouds do you use at work?", "learn": "Which skills do you want to learn next?"},
    "ja": {"submitted_at": "タイムスタンプ", "email": "メールアドレス", "team": "チーム", "role": "職種",
           "location": "勤務地", "grid": "スキルレベル [{}]", "preferred": "一番使いたいクラウド",
           "uses": "利用しているクラウド", "learn": "次に学びたいスキル"},
}
LEVEL_LABELS = {
    "en": ("None", "Aware", "Basic", "Proficient", "Expert"),
    "ja": ("未経験", "知っている", "基礎", "実務", "エキスパート"),
}
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"  # how Google Forms writes it in a CSV download
SHEET_TITLE = "Form Responses 1"
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)  # xlsx members get this, so the same seed gives the same bytes


def skill_names(language: str) -> dict[str, str]:
    """skill_id -> the name the form shows in that language."""
    from pipelines.taxonomy import builtin

    skills = builtin().skills
    column = "name_ja" if language == "ja" else "name_en"
    return dict(zip(skills["skill_id"], skills[column], strict=True))


def export_frame(submissions: pd.DataFrame, questionnaire: tuple[str, ...], language: str) -> pd.DataFrame:
    """One wave's submissions as the form export shows them: text headers and labels, '' when empty.

    The timestamp stays a datetime (CSV writing formats it, XLSX keeps it a real date cell).
    """
    head = HEADERS[language]
    names = skill_names(language)
    labels = pd.Series(LEVEL_LABELS[language])
    out = {
        head["submitted_at"]: submissions["submitted_at"],
        head["email"]: submissions["email"],
        head["team"]: submissions["team"],
        head["role"]: submissions["role"],
        head["location"]: submissions["location"],
    }
    for skill in questionnaire:
        levels = submissions[skill]
        text = labels.reindex(levels.fillna(-1).astype(int)).fillna("").to_numpy()
        out[head["grid"].format(names[skill])] = text
    out[head["preferred"]] = submissions["preferred"]
    out[head["uses"]] = submissions["uses"].map(JOIN.join)
    out[head["learn"]] = submissions["learn"].map(lambda ids: JOIN.join(names[s] for s in ids))
    return pd.DataFrame(out)


def csv_bytes(frame: pd.DataFrame, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(frame.columns)
    timestamps = frame.iloc[:, 0].dt.strftime(TIMESTAMP_FORMAT)
    for stamp, row in zip(timestamps, frame.iloc[:, 1:].itertuples(index=False, name=None), strict=True):
        writer.writerow((stamp, *row))
    # The Japanese export is saved the way Excel saves "CSV UTF-8": with a byte order mark.
    return buffer.getvalue().encode("utf-8-sig" if language == "ja" else "utf-8")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(list(frame.columns))
    stamps = frame.iloc[:, 0].dt.to_pydatetime()
    for stamp, row in zip(stamps, frame.iloc[:, 1:].itertuples(index=False, name=None), strict=True):
        sheet.append([stamp, *(value if value != "" else None for value in row)])
    book.properties.created = dt.datetime(*FIXED_ZIP_TIME)
    raw = io.BytesIO()
    book.save(raw)
    return _stable_zip(raw.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """Re-pack a workbook with fixed member times and a fixed 'modified' stamp (openpyxl writes now)."""
    stamp = dt.datetime(*FIXED_ZIP_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


def export_bytes(org: Organisation, spec: WaveSpec) -> bytes:
    frame = export_frame(org.submissions[spec.label], org.questionnaire, spec.language)
    return xlsx_bytes(frame) if spec.fmt == "xlsx" else csv_bytes(frame, spec.language)


def write_exports(out_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> list[tuple[WaveSpec, Path]]:
    """Generate the organisation and write one export file per wave; returns (wave, file) pairs.

    Also writes headcount.yaml next to them: the invited headcount per wave and team, in the
    shape of data/headcount.yaml, for anyone who wants response rates on the demo.
    """
    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    org = generate(seed)
    written = []
    for spec in org.waves:
        path = out / spec.file_name
        path.write_bytes(export_bytes(org, spec))
        written.append((spec, path))
    (out / HEADCOUNT_FILE).write_text(headcount_yaml(org), encoding="utf-8")
    return written


def headcount_yaml(org: Organisation) -> str:
    import yaml

    return ("# Invited headcount of the synthetic demo organisation (written by pipelines.demo).\n"
            + yaml.safe_dump({"waves": org.headcount()}, sort_keys=False, allow_unicode=True))


def build_demo(db_path: str | Path | None = None, out_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> list:
    """Write the demo exports and load each through the real ingest pipeline.

    Returns one pipelines.ingest.IngestResult per wave. Running it again on the same database
    is harmless: identical files are recognised as already loaded.
    """
    from pipelines.ingest import ingest_file

    db = str(db_path) if db_path is not None else None
    return [ingest_file(path, db=db, wave=spec.label, wave_date=spec.survey_date, loaded_by=LOADED_BY)
            for spec, path in write_exports(out_dir, seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.demo",
                                     description="Build the demo database from synthetic survey exports.")
    parser.add_argument("--db", help="database file (default: $SKILLS_DB, else data/skills.duckdb)")
    parser.add_argument("--out", help=f"folder for the export files (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same files)")
    args = parser.parse_args(argv)
    target = db_path(args.db)
    try:
        results = build_demo(target, args.out, args.seed)
    except Exception as exc:  # never a traceback on the command line
        print(f"demo build failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.wave} ({r.file}): {r.status} - {r.message}")
    print(f"database: {target}")
    return 3 if any(r.status == "rejected" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

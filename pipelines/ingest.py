"""Survey export -> DuckDB: read, map, validate, then write in one transaction.

    python -m pipelines.ingest FILE... [--db PATH] [--wave LABEL] [--wave-date YYYY-MM-DD]
                               [--profile PATH] [--json] [--suggest-profile]
    python -m pipelines.ingest --list | --delete INGESTION_ID

`prepare_file` does all the reading and checking without touching the database (so the upload
page can show its report first); `write_prepared` then loads it. `ingest_file` does both.
Exit codes: 0 loaded or already loaded, 3 refused (nothing written), 2 usage error.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from pipelines import db as dbmod
from pipelines import errors, identity, load, taxonomy
from pipelines.detect import auto_profile
from pipelines.headers import looks_like_joined_header, split_headers
from pipelines.profile import Profile, ProfileError, load_profile, to_dict
from pipelines.read_file import FileRefused, RawTable, read_any
from pipelines.redaction import redact, redact_column
from pipelines.transform import Canonical, concat_problems, respondent_rows, transform
from pipelines.validate import validate_canonical

MAX_REJECTED_SHARE = 0.5


@dataclass
class IngestResult:
    file: str
    ingestion_id: int | None
    wave: str | None
    status: str  # loaded | already_loaded | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    respondents: int = 0
    answers: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "file"} | {"file": self.file}


@dataclass
class Prepared:
    """A file read, mapped and validated: what would be written, and what was wrong with it."""

    file_name: str
    sha256: str
    raw: RawTable
    profile: Profile
    taxonomy: taxonomy.Taxonomy
    wave_label: str
    wave_date: dt.date | None
    frames: dict[str, pd.DataFrame]
    rejected: pd.DataFrame  # source_row, column_name, value, reason
    rows_read: int
    unmatched_columns: list[str] = field(default_factory=list)
    unmapped_options: dict[str, list[str]] = field(default_factory=dict)
    key_fingerprint: str = ""  # of the respondent-id key the ids were hashed with
    offered: pd.DataFrame | None = None  # question, skill_id: what each question asked (question_skills)

    @property
    def rows_rejected(self) -> int:
        return int(self.rejected["source_row"].nunique())

    @property
    def warnings(self) -> list[str]:
        """Things that loaded but deserve a look: answer options that map to no skill."""
        out = []
        for question, labels in self.unmapped_options.items():
            shown = ", ".join(repr(label) for label in labels[:5]) + (" ..." if len(labels) > 5 else "")
            out.append(f"question {question!r}: {len(labels)} answer option(s) map to no skill ({shown}); "
                       "map them in the profile's skills: (~ for options that are no skill)")
        return out


class Refused(Exception):
    """The file as a whole can't be loaded; str() is the one line shown to the user."""


def default_wave(submitted: pd.Series) -> tuple[str, dt.date] | None:
    """The half-year of the median submission, e.g. 2025-H1, and that median date."""
    times = submitted.dropna()
    if times.empty:
        return None
    median = times.sort_values().iloc[len(times) // 2]
    return f"{median.year}-H{1 if median.month <= 6 else 2}", median.date()


def resolve_profile(raw: RawTable, profile: Profile | str | Path | None, tax: taxonomy.Taxonomy):
    """(profile, unmatched column labels, the sheet already split when detection did it)."""
    if profile is None:
        det = auto_profile(raw, tax)
        return det.profile, det.unmatched, det.sheet
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    return profile, [], None


def prepare_file(path: str | Path, *, profile: Profile | str | Path | None = None, wave: str | None = None,
                 wave_date: dt.date | None = None, file_name: str | None = None) -> Prepared:
    """Read, map and validate a file. Raises Refused with a one-line reason when it can't load at all."""
    path = Path(path)
    name = redact(file_name or path.name)  # the name is stored (ingestions, audit_log) and shown
    try:
        return _prepare(path, name, profile, wave, wave_date)
    except Refused:
        raise
    except (FileRefused, ProfileError, identity.KeyRefused) as exc:
        raise Refused(str(exc)) from exc
    except Exception as exc:  # anything unexpected in a file is still a refusal, not a crash
        raise Refused(f"{name} could not be read. {errors.report(exc, f'reading {name}')}") from exc


def _prepare(path: Path, name: str, profile, wave: str | None, wave_date: dt.date | None) -> Prepared:
    given = profile if isinstance(profile, Profile) else (load_profile(profile) if profile else None)
    raw = _read_checked(path, name, given)
    tax = taxonomy.builtin()
    prof, unmatched, sheet = resolve_profile(raw, given, tax)
    tax = tax.with_additions(prof.areas, prof.skills)
    if sheet is None:
        sheet = split_headers(raw, prof.header_rows, prof.header_style, prof.name_row)
    _check_sheet(name, raw, sheet, prof)
    canonical = transform(sheet, prof, tax)
    rows, row_problems = _people(sheet, prof)
    problems = concat_problems([canonical.problems, row_problems]).rename(columns={"_row": "source_row"})
    if prof.layout == "long":
        rows, canonical = _one_row_per_person(rows, canonical, set(problems["source_row"]))
        superseded = _no_rows()
    else:  # a person who submitted twice in one file: the latest submission counts
        rows, superseded = _latest_submission(rows)
    rows = rows[~rows["source_row"].isin(set(problems["source_row"]) | set(superseded["source_row"]))]
    frames, invalid = validate_canonical(canonical, rows)
    if len(invalid):
        frames = {k: v[~v["source_row"].isin(set(invalid["source_row"]))] for k, v in frames.items()}
    rejected = _rejections([problems, superseded, invalid, _ragged_rows(raw)], prof)
    rows_read = sheet.data.num_rows + len(raw.ragged)
    _check_rejected_share(name, rejected[~rejected["source_row"].isin(superseded["source_row"])], rows_read)
    label, date = _wave_of(name, prof, frames["respondents"], wave, wave_date)
    return Prepared(name, raw.sha256 or "", raw, prof, tax, label, date, frames, rejected, rows_read, unmatched,
                    canonical.unmapped_options, identity.fingerprint(), canonical.offered)


def _read_checked(path: Path, name: str, given: Profile | None) -> RawTable:
    """The file's records, refused when most of them are damaged."""
    raw = read_any(path, encoding=given.encoding if given else None, delimiter=given.delimiter if given else None,
                   sheet=given.sheet if given else None)
    records = raw.n_records + len(raw.ragged)
    if raw.ragged and len(raw.ragged) > MAX_REJECTED_SHARE * max(records - 1, 1):
        raise Refused(
            f"{name}: {len(raw.ragged)} of {records - 1} rows have a different number of fields than the "
            "header, so the file is damaged (typically re-saved by Excel with another list separator, or "
            "cut off); export the original file again")
    return raw


def _check_sheet(name: str, raw: RawTable, sheet, prof: Profile) -> None:
    """Refuse a sheet with no responses, a joined header, or nothing that names a skill."""
    if sheet.data.num_rows == 0 and not raw.ragged:
        raise Refused(f"{name} has a header but no responses")
    if looks_like_joined_header(sheet):
        raise Refused(
            f"{name}: all column names sit in one cell, which happens when Excel re-saves a CSV with "
            f"'{raw.delimiter}' as its list separator and splits answers apart; export the original file again")
    if not any(q.kind in {"rating", "picked"} for q in prof.questions) and prof.layout != "long":
        raise Refused(f"{name}: no skill columns recognised (no header names a known skill); "
                      "map the columns with a profile (try --suggest-profile)")


def _check_rejected_share(name: str, failing: pd.DataFrame, rows_read: int) -> None:
    """Refuse the file whole when more than half its rows fail their checks."""
    if rows_read and failing["source_row"].nunique() > MAX_REJECTED_SHARE * rows_read:
        first = failing.iloc[0]
        raise Refused(f"{name}: {failing['source_row'].nunique()} of {rows_read} rows fail checks (more than "
                      f"half), so nothing was loaded; first problem, row {first.source_row}: {first.reason}")


def _people(sheet, prof: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondent rows with their keyed ids, and the problems found in their own columns."""
    rows, problems = respondent_rows(sheet, prof)
    return _identify(rows.rename(columns={"_row": "source_row"}), prof), problems


def _identify(rows: pd.DataFrame, prof: Profile) -> pd.DataFrame:
    """Replace the raw id by its keyed hash (rows without an id are already reported) and redact
    emails typed into free-text columns."""
    if prof.fields.get("id"):
        rows = rows[rows["id_value"].notna()].copy()
        rows["respondent_id"] = identity.hash_ids(rows["id_value"])
    else:
        rows["respondent_id"] = identity.per_ingestion_ids(rows["source_row"])
    rows = rows.drop(columns=["id_value"])
    for col in ("team", "role", "location"):
        rows[col] = redact_column(rows[col])
    return rows


def _ragged_rows(raw: RawTable) -> pd.DataFrame:
    return pd.DataFrame(
        [(row, None, f"{fields} fields", f"row has {fields} fields where the header has {expected}: "
          "a truncated or damaged record") for row, fields, expected, _ in raw.ragged],
        columns=["source_row", "column_name", "value", "reason"])


def _rejections(parts: list[pd.DataFrame], prof: Profile) -> pd.DataFrame:
    """Every row-level problem, in row order, with emails and identifiers never echoed back."""
    found = [p for p in parts if len(p)]
    rejected = pd.concat(found, ignore_index=True) if found else _no_rows()
    for col in ("value", "reason", "column_name"):
        rejected[col] = rejected[col].map(redact)
    id_col = prof.fields.get("id")
    if id_col is not None and len(rejected):
        rejected.loc[rejected["column_name"].isin(set(id_col.names)), "value"] = "<redacted>"
    return rejected.sort_values("source_row", kind="stable").reset_index(drop=True)


def _wave_of(name: str, prof: Profile, respondents: pd.DataFrame, wave: str | None,
             wave_date: dt.date | None) -> tuple[str, dt.date | None]:
    """--wave, else the profile's, else the half-year of the median submission."""
    inferred = default_wave(respondents["submitted_at"])
    label = redact(str(wave or prof.wave_label or (inferred[0] if inferred else "")))
    if not label:
        raise Refused(f"{name} has no submission dates to infer its wave from; name the wave (--wave)")
    date = wave_date or prof.wave_date or (inferred[1] if inferred else None)
    return label, date


def _no_rows() -> pd.DataFrame:
    return pd.DataFrame(columns=["source_row", "column_name", "value", "reason"])


def _one_row_per_person(rows: pd.DataFrame, canonical: Canonical, bad: set) -> tuple[pd.DataFrame, Canonical]:
    """Long layout: a person's rows become one respondent (their first good row stands for them)."""
    good = rows[~rows["source_row"].isin(bad)]
    first = good.groupby("respondent_id")["source_row"].transform("min")
    to_first = dict(zip(good["source_row"], first, strict=True))

    def remap(frame: pd.DataFrame, keys: list[str], agg: dict | None = None) -> pd.DataFrame:
        frame = frame.assign(_row=frame["_row"].map(to_first)).dropna(subset=["_row"])
        frame["_row"] = frame["_row"].astype("int32")
        return frame.groupby(keys, observed=True, as_index=False).agg(agg) if agg else frame.drop_duplicates(keys)

    answers = remap(canonical.answers, ["_row", "skill_id"], {"level": "max"})
    canonical.answers = answers.astype({"level": "int8"})
    canonical.cloud = remap(canonical.cloud, ["_row", "provider", "kind"])
    canonical.interests = remap(canonical.interests, ["_row", "skill_id"])
    return good[good["source_row"] == first], canonical


def _latest_submission(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not rows["respondent_id"].duplicated().any():
        return rows, _no_rows()
    order = rows.sort_values(["respondent_id", "submitted_at", "source_row"], na_position="first", kind="stable")
    latest = order.drop_duplicates("respondent_id", keep="last")
    older = order[~order.index.isin(latest.index)]
    winner = dict(zip(latest["respondent_id"], latest["source_row"], strict=True))
    superseded = pd.DataFrame({
        "source_row": older["source_row"], "column_name": None, "value": None,
        "reason": [f"superseded by a later submission from the same person (row {winner[r]})"
                   for r in older["respondent_id"]],
    })
    return rows[rows.index.isin(latest.index)], superseded


def write_prepared(prepared: Prepared, *, db: str | None = None, loaded_by: str | None = None,
                   new_key: bool = False) -> IngestResult:
    """Load a prepared file. Raises Refused when the respondent-id key is not the database's
    (unless `new_key` replaces the database's key, which the result's warnings then say)."""
    with dbmod.writer(db) as con:
        earlier = load.already_loaded(con, prepared.sha256, prepared.wave_label)
        if earlier is not None:
            return IngestResult(prepared.file_name, earlier, prepared.wave_label, "already_loaded",
                                message=f"already loaded as ingestion {earlier} into wave {prepared.wave_label}; "
                                        "nothing changed")
        try:
            key_warning = identity.check_key(con, prepared.key_fingerprint, new_key)
        except identity.KeyRefused as exc:
            raise Refused(str(exc)) from exc
        ingestion_id, _, superseded = load.write(
            con, frames=prepared.frames, rejected=prepared.rejected, wave_label=prepared.wave_label,
            wave_date=prepared.wave_date, file_name=prepared.file_name, sha256=prepared.sha256,
            rows_read=prepared.rows_read, profile_name=redact(prepared.profile.name), taxonomy=prepared.taxonomy,
            loaded_by=loaded_by, key_fingerprint=prepared.key_fingerprint, offered=prepared.offered)
        stats = con.execute(
            "SELECT rows_read, rows_loaded, rows_rejected, "
            "(SELECT count(*) FROM respondents WHERE ingestion_id = ?), "
            "(SELECT count(*) FROM answers WHERE ingestion_id = ?) FROM ingestions WHERE ingestion_id = ?",
            [ingestion_id, ingestion_id, ingestion_id]).fetchall()[0]
    rows_read, rows_loaded, rows_rejected, respondents, answers = stats
    note = f"; {rows_rejected} rows rejected (see rejected_rows)" if rows_rejected else ""
    return IngestResult(prepared.file_name, ingestion_id, prepared.wave_label, "loaded", rows_read, rows_loaded,
                        rows_rejected, respondents, answers,
                        f"loaded {respondents} respondents and {answers} answers into wave {prepared.wave_label}{note}",
                        prepared.warnings + ([key_warning] if key_warning else []))


def ingest_file(path: str | Path, *, db: str | None = None, wave: str | None = None,
                wave_date: dt.date | None = None, profile: Profile | str | Path | None = None,
                loaded_by: str | None = None, new_key: bool = False) -> IngestResult:
    """Load one file; never raises for a bad file (status 'rejected' with the reason instead)."""
    path = Path(path)
    try:
        prepared = prepare_file(path, profile=profile, wave=wave, wave_date=wave_date)
        return write_prepared(prepared, db=db, loaded_by=loaded_by, new_key=new_key)
    except Refused as exc:
        return IngestResult(redact(path.name), None, wave, "rejected", message=str(exc))


def suggest_profile(path: str | Path) -> str:
    """A draft profile for HR to review: what was recognised, and what wasn't, as YAML comments."""
    from pipelines.detect import Detection

    raw = read_any(path)
    det: Detection = auto_profile(raw, taxonomy.builtin())
    det.profile.name = Path(path).stem
    lines = [f"# Draft profile for {Path(path).name} — review before use.",
             f"# Read as {raw.kind}, encoding {raw.encoding or 'n/a'}, delimiter {raw.delimiter!r}."]
    if det.suggestions:
        lines.append("# Possible skill columns (fuzzy match, please confirm and move into questions):")
        lines += [f"#   {label!r}: {skill}  (score {score})" for label, (skill, score) in det.suggestions.items()]
    if det.unmatched:
        lines.append(f"# Columns not mapped ({len(det.unmatched)}):")
        lines += [f"#   {label}" for label in det.unmatched[:200]]
    import yaml

    return "\n".join(lines) + "\n" + yaml.safe_dump(to_dict(det.profile), allow_unicode=True, sort_keys=False,
                                                      width=110)


def list_ingestions(db: str | None) -> list[dict]:
    with dbmod.writer(db) as con:
        return con.execute("""
            SELECT i.ingestion_id, w.label AS wave, i.file_name, i.loaded_at::VARCHAR AS loaded_at, i.rows_read,
                   i.rows_loaded, i.rows_rejected, i.status, i.loaded_by
            FROM ingestions i JOIN waves w USING (wave_id) ORDER BY i.ingestion_id
        """).df().to_dict("records")


def delete(db: str | None, ingestion_id: int, actor: str | None = None) -> bool:
    with dbmod.writer(db) as con:
        return load.delete_ingestion(con, ingestion_id, actor)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines.ingest", description="Load survey exports into DuckDB.")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--db", help="database file (default $SKILLS_DB or data/skills.duckdb)")
    p.add_argument("--wave", help="wave label, e.g. 2025-H1 (default: the profile's, else the half-year of "
                                  "the median submission)")
    p.add_argument("--wave-date", type=dt.date.fromisoformat, help="survey date of the wave, YYYY-MM-DD")
    p.add_argument("--profile", help="profile YAML (path or a name in data/profiles)")
    p.add_argument("--json", action="store_true", help="print one JSON object per file")
    p.add_argument("--suggest-profile", action="store_true", help="print a draft profile for each file")
    p.add_argument("--list", action="store_true", help="list ingestions")
    p.add_argument("--delete", type=int, metavar="INGESTION_ID", help="delete an ingestion and all it loaded")
    p.add_argument("--new-key", action="store_true",
                   help="accept the current respondent-id key although the database's data was hashed with another "
                        "(or the key file is gone): people in earlier waves then can't be linked to later waves")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _run(args, parser)
    except KeyboardInterrupt:
        print("interrupted; nothing was written by the unfinished file", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one line, never a traceback
        print(f"error: {errors.report(exc, 'ingest command')}", file=sys.stderr)
        return 3


def _run(args, parser) -> int:
    if args.list:
        return _list(args)
    if args.delete is not None:
        return _delete(args)
    if not args.files:
        parser.print_usage(sys.stderr)
        print("error: give at least one FILE (or --list / --delete)", file=sys.stderr)
        return 2
    if args.suggest_profile:
        return _suggest(args.files)
    if args.profile:
        try:
            load_profile(args.profile)
        except ProfileError as exc:  # the profile is input like the files: refused, in one line
            print(f"refused: {errors.one_line(exc, 300)}", file=sys.stderr)
            return 3
    return _load_all(args)


def _list(args) -> int:
    for row in list_ingestions(args.db):
        print(json.dumps(row, default=str) if args.json else
              "{ingestion_id:>4}  {wave:<12} {rows_loaded:>7} loaded {rows_rejected:>6} rejected  "
              "{loaded_at}  {file_name}".format(**row))
    return 0


def _delete(args) -> int:
    if delete(args.db, args.delete):
        print(f"deleted ingestion {args.delete}")
        return 0
    print(f"no ingestion {args.delete}", file=sys.stderr)
    return 3


def _suggest(files: list[str]) -> int:
    for f in files:
        try:
            print(suggest_profile(f))
        except FileRefused as exc:
            print(errors.one_line(exc, 300), file=sys.stderr)
            return 3
    return 0


def _load_all(args) -> int:
    """Each file in turn (a failed one is reported and the next goes on); 3 if any was refused."""
    code = 0
    progress = None
    if sys.stderr.isatty() and not args.json:
        from tqdm import tqdm

        progress = tqdm(total=len(args.files), unit="file", file=sys.stderr)
    for f in args.files:
        try:
            result = ingest_file(f, db=args.db, wave=args.wave, wave_date=args.wave_date, profile=args.profile,
                                 new_key=args.new_key)
        except Exception as exc:  # a failed write rolled back; report it and go on with the next file
            result = IngestResult(Path(f).name, None, args.wave, "rejected",
                                  message=f"{Path(f).name}: the load failed. {errors.report(exc, 'ingest: load')}")
        if progress:
            progress.update(1)
        _print_result(result, args.json)
        if result.status == "rejected":
            code = 3
    if progress:
        progress.close()
    return code


def _print_result(result: IngestResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        if result.status == "rejected":
            print(result.message, file=sys.stderr)
    elif result.status == "rejected":
        print(f"refused: {result.message}", file=sys.stderr)
    else:
        print(f"{result.file}: {result.message}")
        for warning in result.warnings:
            print(f"{result.file}: warning: {warning}", file=sys.stderr)

if __name__ == "__main__":
    sys.exit(main())

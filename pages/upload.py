"""Upload: from a raw survey export to updated dashboards, without a terminal.

Same pipeline code as the CLI: inspect -> map -> prepare (validate, nothing written) -> load.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analytics import db as read_db
from analytics.export import to_csv_bytes
from analytics.ingestions import ingestion_history, rejected_rows, wave_list
from pages import _auth as auth
from pages import _common as ui
from pipelines import audit, errors, taxonomy
from pipelines.detect import ROLES
from pipelines.ingest import Refused, delete, write_prepared
from pipelines.inspect_file import profile_from_frame
from pipelines.isolated import inspect_upload, prepare_upload
from pipelines.profile import ProfileError
from pipelines.profile_store import list_profiles, open_profile, save_profile
from pipelines.read_file import FileRefused
from pipelines.uploads import UploadFolder, max_upload_mb
from schemas import settings

DB = settings.db_path()
AUTO = "Auto-detected mapping (edit below)"
ROLE_HELP = {
    "ignore": "not loaded", "id": "email / employee id (hashed)", "team": "team", "role": "role",
    "location": "location", "submitted_at": "submission time", "skill_rating": "rates the skill in 'skill'",
    "skill_picked": "multi-select: picking = level 3", "cloud_preferred": "cloud: single choice",
    "cloud_uses": "cloud: multi-select", "learning_interest": "skills to learn", "long_skill": "long: skill",
    "long_level": "long: level",
}


@st.cache_resource(scope="session", on_release=UploadFolder.close, show_spinner=False)
def session_folder() -> UploadFolder:
    """This session's private upload folder; Streamlit releases it, deleting it, when the session
    disconnects (a closed tab included)."""
    return UploadFolder()


def save(file) -> str:
    file.seek(0)
    return str(session_folder().save(file, file.name))


def reset_upload() -> None:
    st.session_state.pop("upload_path", None)
    session_folder().clear()
    for key in ("upload_sig", "inspection", "prepared", "load_result", "refused"):
        st.session_state.pop(key, None)


def receive(file) -> None:
    """A new file: stream it to disk and inspect it once (not on every rerun)."""
    sig = (file.name, file.size, getattr(file, "file_id", ""))
    if st.session_state.get("upload_sig") == sig:
        path = st.session_state.get("upload_path")
        if path is not None and not Path(path).exists():  # the folder went with a dropped connection
            st.session_state.upload_path = save(file)
        return
    reset_upload()
    st.session_state.upload_sig = sig
    st.session_state.upload_path = save(file)
    try:  # in a child process with capped memory and time: no file can take the server down
        st.session_state.inspection = inspect_upload(st.session_state.upload_path)
    except FileRefused as exc:
        st.session_state.refused = str(exc)
    except Exception as exc:  # not expected (the child's failures are FileRefused): still one line
        st.session_state.refused = errors.report(exc, "upload page: inspect")


ui.require_page("upload")
def still_allowed() -> bool:
    """Asked again right before every write (load, delete, profile save): a role revoked since the
    page was drawn writes nothing."""
    if auth.allowed("upload"):
        return True
    st.error(auth.MESSAGES["revoked"])
    return False
st.title("Upload survey results")
st.caption("Upload a CSV or XLSX export (Google Forms, Microsoft Forms, SurveyMonkey, Excel). Nothing is "
           "written until you have seen the validation report and chosen to load.")

upload = st.file_uploader("Survey export", type=["csv", "txt", "tsv", "xlsx"], max_upload_size=max_upload_mb(),
                          help=f"Up to {max_upload_mb()} MB. Emails are hashed on load and never stored.")
if upload is None:
    if st.session_state.get("upload_path") and not st.session_state.get("load_result"):
        reset_upload()
else:
    receive(upload)

if st.session_state.get("refused"):
    st.error(f"This file can't be loaded: {st.session_state.refused}")

inspection = st.session_state.get("inspection")
result = st.session_state.get("load_result")
if result is not None:
    if result.status == "already_loaded":
        st.info(f"Nothing changed: {result.message}.")
    else:
        st.success(f"Loaded into wave **{result.wave}**: {result.respondents} respondents, {result.answers} "
                   f"answers; {result.rows_rejected} rows rejected (ingestion {result.ingestion_id}).")
        try:
            st.page_link("pages/overview.py", label="Open the overview", icon=":material/dashboard:")
        except StreamlitPageNotFoundError:  # page opened on its own, outside the app's navigation
            st.caption("Open the Overview page to see the new numbers.")
    if st.button("Upload another file"):
        reset_upload()
        st.rerun()
elif inspection is not None:
    st.subheader("1. What we found")
    skills = sum(g.role in ("skill_rating", "skill_picked") for g in inspection.guesses)
    cols = st.columns(6)
    cols[0].metric("Format", inspection.kind.upper())
    cols[1].metric("Encoding", inspection.encoding or "n/a")
    cols[2].metric("Delimiter", {",": "comma", ";": "semicolon", "\t": "tab"}.get(inspection.delimiter or "", "n/a"))
    cols[3].metric("Header rows", inspection.header_rows)
    cols[4].metric("Responses", f"{inspection.responses:,}")
    cols[5].metric("Skill columns", f"{skills} of {inspection.columns}")
    st.caption(f"Layout: {inspection.layout}; header style: {inspection.header_style}.")

    st.subheader("2. Map the columns")
    choice = st.selectbox("Mapping", [AUTO, *list_profiles()], help="Pick a saved profile, or edit the detected one.")
    profile = None
    if choice == AUTO:
        skill_ids = sorted(taxonomy.builtin().skills["skill_id"])
        edited = st.data_editor(
            inspection.guesses_frame(), hide_index=True, key="mapping_editor", width="stretch",
            column_config={
                "column": st.column_config.TextColumn("Column", disabled=True),
                "role": st.column_config.SelectboxColumn("Role", options=ROLES, required=True,
                                                         help="; ".join(f"{k}: {v}" for k, v in ROLE_HELP.items())),
                "skill": st.column_config.SelectboxColumn("Skill", options=skill_ids),
                "confidence": st.column_config.ProgressColumn("Confidence", min_value=0.0, max_value=1.0),
                "separator": st.column_config.TextColumn("Separator", max_chars=3),
                "sample answers": st.column_config.TextColumn("Sample answers", disabled=True),
            })
        profile = profile_from_frame(edited, inspection.profile, name="upload")
        with st.expander("Save this mapping as a profile for next time"):
            name = st.text_input("Profile name", placeholder="e.g. engineering-survey")
            if st.button("Save profile", disabled=not name) and still_allowed():
                try:
                    path = save_profile(profile, name)
                    audit.record(DB, ui.actor(), "profile_saved", path.stem, profile.to_yaml())
                    st.success(f"Saved as {path.name}.")
                except (ValueError, OSError) as exc:
                    st.error(f"Could not save the profile: {exc}")
    else:
        try:
            profile = open_profile(choice)
            st.caption(f"Using saved profile **{choice}**.")
        except ProfileError as exc:
            st.error(f"That profile can't be used: {exc}")

    st.subheader("3. Wave")
    waves = wave_list(DB)
    modes = ["From the submission dates", "An existing wave", "A new wave"]
    mode = st.radio("Load into", modes if not waves.empty else [modes[0], modes[2]], horizontal=True,
                    help="From the submission dates: the half-year of the median submission, e.g. 2025-H1 "
                         "(an existing wave of that name is used).")
    wave_label, wave_date = None, None
    if mode == "An existing wave":
        wave_label = st.selectbox("Wave", waves["label"].tolist())
    elif mode == "A new wave":
        wave_label = st.text_input("Wave label", placeholder="e.g. 2025-H1") or None
        wave_date = st.date_input("Survey date", value=None, help="Empty: the median submission date.")

    st.subheader("4. Check")
    if st.button("Check the file", type="primary", disabled=profile is None):
        with st.spinner("Reading and validating..."):
            try:
                st.session_state.prepared = prepare_upload(st.session_state.upload_path, profile=profile,
                                                           wave=wave_label, wave_date=wave_date,
                                                           file_name=upload.name if upload else None)
                st.session_state.pop("check_error", None)
            except Refused as exc:
                st.session_state.pop("prepared", None)
                st.session_state.check_error = str(exc)
            except Exception as exc:  # not expected (the child's failures are Refused): still one line
                st.session_state.pop("prepared", None)
                st.session_state.check_error = errors.report(exc, "upload page: check")
    if st.session_state.get("check_error"):
        st.error(f"This file can't be loaded as mapped: {st.session_state.check_error}")

    prepared = st.session_state.get("prepared")
    if prepared is not None:
        rejected = prepared.rejected
        metric_cols = st.columns(5)
        metric_cols[0].metric("Rows read", f"{prepared.rows_read:,}")
        metric_cols[1].metric("Rows to load", f"{prepared.rows_read - prepared.rows_rejected:,}")
        metric_cols[2].metric("Rows with problems", f"{prepared.rows_rejected:,}")
        metric_cols[3].metric("Respondents", f"{len(prepared.frames['respondents']):,}")
        metric_cols[4].metric("Answers", f"{len(prepared.frames['answers']):,}")
        for warning in prepared.warnings:
            st.warning(f"Check the mapping: {warning}.")
        if len(rejected):
            st.warning(f"{prepared.rows_rejected} rows will not be loaded. Fix them in the source and upload "
                       "again later, or load the valid rows now.")
            shown = rejected.rename(columns={"source_row": "row", "column_name": "column"})
            st.dataframe(shown, hide_index=True, width="stretch")
            st.download_button("Download the fix list (CSV)", to_csv_bytes(shown),
                               file_name=f"fix-list-{prepared.file_name}.csv", mime="text/csv")
        else:
            st.success("Every row passed the checks.")
        go, cancel = st.columns(2)
        if go.button(f"Load {prepared.rows_read - prepared.rows_rejected:,} rows into {prepared.wave_label}",
                     type="primary") and still_allowed():
            bar = st.progress(0.3, text="Writing to the database...")
            try:
                read_db.release(DB)  # the dashboards' shared read-only instance steps aside now, not after idling
                result = write_prepared(prepared, db=DB, loaded_by=ui.actor())
            except Refused as exc:  # e.g. the respondent-id key is not the database's: nothing written
                bar.empty()
                st.error(f"Nothing was loaded: {exc}.")
            except Exception as exc:  # the write rolled back: one line with an id that is in the log
                bar.empty()
                st.error(errors.report(exc, "upload page: load"))
            else:
                bar.progress(1.0, text="Done")
                st.cache_data.clear()
                st.session_state.load_result = result
                st.session_state[ui.SHOW_WAVE] = result.wave  # the dashboards open on the new numbers
                st.session_state.pop("upload_path", None)
                session_folder().clear()
                st.rerun()
        if cancel.button("Cancel"):
            reset_upload()
            st.rerun()

st.divider()
st.subheader("Ingestion history")
if st.session_state.get("deleted") is not None:
    st.success(f"Deleted ingestion {st.session_state.pop('deleted')}.")
history = ingestion_history(DB)
if history.empty:
    st.caption("No files loaded yet.")
else:
    st.dataframe(history, hide_index=True, width="stretch")
    st.download_button("Download history (CSV)", to_csv_bytes(history), file_name="ingestions.csv", mime="text/csv")
    pick = st.selectbox("Ingestion", history["ingestion_id"].tolist(),
                        format_func=lambda i: "{} — {} ({})".format(
                            i, *history.loc[history["ingestion_id"] == i, ["file_name", "wave"]].iloc[0]))
    with st.expander("Rejected rows of this ingestion"):
        problems = rejected_rows(DB, int(pick))
        if len(problems):
            st.dataframe(problems, hide_index=True, width="stretch")
        else:
            st.caption("None.")

    def forget_pending() -> None:
        st.session_state.pop("pending_delete", None)

    @st.dialog("Delete this ingestion?", on_dismiss=forget_pending)
    def confirm_delete(ingestion_id: int) -> None:
        st.write(f"Ingestion {ingestion_id} and everything it loaded will be removed from every dashboard. "
                 "This can't be undone (upload the file again to restore it).")
        if st.button("Delete", type="primary", key="confirm_delete") and still_allowed():
            read_db.release(DB)
            if delete(DB, ingestion_id, ui.actor()):
                st.cache_data.clear()
                st.session_state.deleted = ingestion_id
            forget_pending()
            st.rerun()

    if st.button("Delete ingestion…"):
        st.session_state.pending_delete = int(pick)
    if st.session_state.get("pending_delete") is not None:  # stays open across reruns until answered
        confirm_delete(st.session_state.pending_delete)


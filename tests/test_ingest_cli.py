"""The command line contract: `python -m pipelines.ingest`, exit codes 0/3/2, --json, --list, --delete,
--suggest-profile, and never a traceback."""
from __future__ import annotations

import json

import pytest
import yaml
from pipeline_fixtures import levels_by_team, make_env, run_cli, write_csv, write_profile

from pipelines.ingest import main
from pipelines.profile import load_profile, parse_profile

JSON_KEYS = {"ingestion_id", "wave", "status", "rows_read", "rows_loaded", "rows_rejected", "respondents", "answers",
             "message"}

GRID = [["Timestamp", "Email Address", "Department", "Skills [Docker]", "Skills [Kubernetes]", "Favourite snack",
         "Preferred cloud"],
        ["2024/10/01 10:00:00", "a@example.com", "A", "Expert", "Basic", "crisps", "AWS"],
        ["2024/10/02 10:00:00", "b@example.com", "B", "Aware", "wrong", "fruit", "GCP"],  # row 3 rejected
        ["2024/10/03 10:00:00", "c@example.com", "C", "None", "", "nuts", "Azure"],
        ["2024/10/04 10:00:00", "d@example.com", "D", "Proficient", "Expert", "", "None"]]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private database and respondent-id key in tmp_path."""
    return make_env(tmp_path, monkeypatch)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def no_traceback(proc_or_text):
    text = proc_or_text if isinstance(proc_or_text, str) else proc_or_text.stdout + proc_or_text.stderr
    assert "Traceback" not in text


# --- as a real process -------------------------------------------------------------------------------

def test_cli_loads_a_file_and_prints_json(env):
    path = write_csv(env.tmp / "grid.csv", GRID)
    proc = run_cli(env, str(path), "--json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    [out] = json_lines(proc.stdout)
    assert set(out) >= JSON_KEYS
    # By hand: 4 data rows, row 3 has a bad Kubernetes cell; answers: A 2, C 1, D 2.
    assert out["status"] == "loaded"
    assert out["wave"] == "2024-H2"
    assert (out["rows_read"], out["rows_loaded"], out["rows_rejected"]) == (4, 3, 1)
    assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"]
    assert (out["respondents"], out["answers"]) == (3, 5)
    assert isinstance(out["ingestion_id"], int) and out["message"]
    # SKILLS_DB chose the database (no --db given).
    assert env.rows("SELECT ingestion_id, rows_read FROM ingestions") == [(out["ingestion_id"], 4)]


def test_cli_refusal_exit_3_one_line_on_stderr_nothing_written(env, capsys):
    good = write_csv(env.tmp / "grid.csv", GRID)
    assert main([str(good), "--db", env.db]) == 0
    capsys.readouterr()
    before = env.snapshot()
    bad = env.tmp / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    proc = run_cli(env, str(bad), "--db", env.db)  # one real process for the exit status
    no_traceback(proc)
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert len([line for line in proc.stderr.splitlines() if line.strip()]) == 1, proc.stderr
    for args in ([str(bad), "--json"], [str(env.tmp / "missing.csv")], [str(env.tmp)],
                 [str(write_csv(env.tmp / "hdr.csv", [["Email Address", "Docker"]]))]):
        code = main([*args, "--db", env.db])
        captured = capsys.readouterr()
        no_traceback(captured.out + captured.err)
        assert code == 3, args
        assert len([line for line in captured.err.splitlines() if line.strip()]) == 1, (args, captured.err)
        if "--json" in args:
            [out] = json_lines(captured.out)
            assert out["status"] == "rejected"
            assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"]
    assert env.snapshot() == before


def test_cli_usage_error_exit_2_as_a_process(env):
    proc = run_cli(env)
    no_traceback(proc)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.strip()


@pytest.mark.parametrize("args", [
    [],
    ["--frobnicate"],
    ["x.csv", "--wave-date", "2025-13-45"],
    ["--delete", "not-a-number"],
], ids=["no-args", "unknown-option", "bad-date", "bad-delete-id"])
def test_cli_usage_errors_exit_2(env, capsys, args):
    code = main(args)
    captured = capsys.readouterr()
    no_traceback(captured.out + captured.err)
    assert code == 2
    assert captured.err.strip()


def test_cli_unreadable_profile_is_refused(env, capsys):
    path = write_csv(env.tmp / "grid.csv", GRID)
    profile = write_profile(env.tmp / "broken.yaml", "questions: [unclosed\n")
    code = main([str(path), "--profile", str(profile)])
    err = capsys.readouterr().err
    no_traceback(err)
    assert code == 3
    assert err.count("\n") == 1 and err.startswith("refused: profile broken.yaml: not valid YAML")
    assert env.snapshot() == {}


# --- in process (same contract, faster) -------------------------------------------------------------------

def test_already_loaded_exits_0_and_names_the_earlier_ingestion(env, capsys):
    path = write_csv(env.tmp / "grid.csv", GRID)
    assert main([str(path), "--json"]) == 0
    [first] = json_lines(capsys.readouterr().out)
    before = env.snapshot()
    assert main([str(path), "--json"]) == 0
    captured = capsys.readouterr()
    [again] = json_lines(captured.out)
    assert again["status"] == "already_loaded"
    assert again["ingestion_id"] == first["ingestion_id"]
    assert str(first["ingestion_id"]) in again["message"]
    assert again["rows_read"] == again["rows_loaded"] + again["rows_rejected"]
    assert env.snapshot() == before


def test_several_files_one_json_object_each_and_exit_3_if_any_refused(env, capsys):
    good = write_csv(env.tmp / "grid.csv", GRID)
    noskills = write_csv(env.tmp / "noskills.csv", [["Email Address", "Shoe size"], ["a@example.com", "42"]])
    code = main([str(good), str(noskills), "--json", "--wave", "Pilot"])
    captured = capsys.readouterr()
    no_traceback(captured.out + captured.err)
    assert code == 3
    outs = json_lines(captured.out)
    assert [o["status"] for o in outs] == ["loaded", "rejected"]
    assert all(set(o) >= JSON_KEYS for o in outs)
    assert all(o["rows_read"] == o["rows_loaded"] + o["rows_rejected"] for o in outs)
    assert outs[0]["wave"] == "Pilot"  # --wave wins over the 2024-H2 timestamps
    assert len([line for line in captured.err.splitlines() if line.strip()]) == 1
    assert [r[0] for r in env.rows("SELECT label FROM waves")] == ["Pilot"]


def test_list_and_delete(env, capsys):
    a = write_csv(env.tmp / "a.csv", GRID)
    b = write_csv(env.tmp / "b.csv", GRID[:3])
    assert main([str(a), "--json"]) == 0
    assert main([str(b), "--json", "--wave", "2025-H1"]) == 0
    ids = [o["ingestion_id"] for o in json_lines(capsys.readouterr().out)]
    assert main(["--list", "--json"]) == 0
    listed = json_lines(capsys.readouterr().out)
    assert [row["ingestion_id"] for row in listed] == ids
    assert [row["file_name"] for row in listed] == ["a.csv", "b.csv"]
    assert main(["--delete", str(ids[0])]) == 0
    capsys.readouterr()
    for table in ("respondents", "answers", "cloud_preferences", "rejected_rows", "ingestions"):
        assert env.rows(f"SELECT count(*) FROM {table} WHERE ingestion_id = ?", [ids[0]]) == [(0,)], table
    assert env.rows("SELECT count(*) FROM respondents WHERE ingestion_id = ?", [ids[1]]) == [(1,)]
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "a.csv" not in out and "b.csv" in out
    code = main(["--delete", str(ids[0])])  # already gone
    assert code != 0
    no_traceback(capsys.readouterr().err)


# --- --suggest-profile ---------------------------------------------------------------------------------------

def test_suggest_profile_is_valid_yaml_that_loads_as_a_profile(env, capsys):
    path = write_csv(env.tmp / "grid.csv", GRID)
    assert main([str(path), "--suggest-profile"]) == 0
    captured = capsys.readouterr()
    no_traceback(captured.out + captured.err)
    data = yaml.safe_load(captured.out)
    profile = parse_profile(data)
    assert profile.fields["id"].names == ["Email Address"]
    assert profile.fields["team"].names == ["Department"]
    assert {q.kind for q in profile.questions} >= {"rating", "cloud"}
    assert "Favourite snack" in captured.out  # listed as not mapped, for HR to review
    # Nothing was written by a suggestion.
    assert env.snapshot() == {}
    # The draft, saved as-is, ingests the file the same way auto-detection does.
    saved = write_profile(env.tmp / "draft.yaml", captured.out)
    assert load_profile(saved).name
    assert main([str(path), "--profile", str(saved), "--json"]) == 0
    [out] = json_lines(capsys.readouterr().out)
    assert out["status"] == "loaded"
    assert (out["rows_loaded"], out["rows_rejected"], out["answers"]) == (3, 1, 5)
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2}, "C": {"docker": 0},
                                   "D": {"docker": 3, "kubernetes": 4}}


def test_suggest_profile_for_a_file_with_no_recognised_columns(env, capsys):
    path = write_csv(env.tmp / "odd.csv", [["Mail", "Dockr", "Kubernets", "Shoe size"],
                                           ["a@example.com", "3", "2", "42"]])
    assert main([str(path), "--suggest-profile"]) == 0
    out = capsys.readouterr().out
    parse_profile(yaml.safe_load(out))
    for column in ("Dockr", "Kubernets", "Shoe size"):
        assert column in out


def test_suggest_profile_on_a_binary_file_exits_3_without_traceback(env):
    bad = env.tmp / "x.csv"
    bad.write_bytes(bytes(range(256)) * 10)
    proc = run_cli(env, str(bad), "--suggest-profile")
    no_traceback(proc)
    assert proc.returncode == 3
    assert len([line for line in proc.stderr.splitlines() if line.strip()]) == 1


# --- how the process ends ------------------------------------------------------------------------------

def test_cli_exit_codes_survive_a_closed_or_broken_stdout(env):
    """A load that succeeded exits 0 even with stdout closed; a reader that goes away mid-output is
    an error (3) reported on stderr in one line, and the data is there."""
    import os
    import subprocess

    from pipeline_fixtures import PROJECT, cli_command

    path = write_csv(env.tmp / "grid.csv", GRID)
    environ = {**os.environ, "SKILLS_SECRET_FILE": str(env.secret), "SKILLS_DB": env.db}
    closed = subprocess.run(cli_command(str(path)), cwd=PROJECT, env=environ, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 0, closed.stderr
    no_traceback(closed.stderr)
    assert levels_by_team(env) == {"A": {"docker": 4, "kubernetes": 2}, "C": {"docker": 0},
                                   "D": {"docker": 3, "kubernetes": 4}}
    # A reader that closes the pipe at once: the output can't be written, and the CLI says so.
    second = write_csv(env.tmp / "grid2.csv", GRID)
    reader = subprocess.Popen(cli_command(str(second), "--wave", "2031-H1", "--json"), cwd=PROJECT, env=environ,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader.stdout.close()
    err = reader.stderr.read()
    assert reader.wait(timeout=120) == 3
    no_traceback(err)
    assert "nanobind" not in err and len(err.strip().splitlines()) == 1

"""Dashboard settings files: defaults, targets, headcount, and one-line errors."""
import pytest

from analytics.settings import Settings, SettingsError, load


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_settings_load():
    s = load()
    assert (s.threshold, s.k, s.single_point_max_bench, s.min_change) == (3, 5, 1, 0.02)
    assert 0 <= s.target_for("cicd") <= 1


def test_files_are_read(tmp_path):
    cfg = write(tmp_path, "app.yaml", "proficient_threshold: 2\nmin_group_size: 10\nsingle_point_max_bench: 0\n"
                                      "min_change_pp: 5\n")
    tgt = write(tmp_path, "t.yaml", "default: 0.2\nareas: {cicd: 0.7}\n")
    heads = write(tmp_path, "h.yaml", "waves:\n  '2024-H1': {total: 100, teams: {Data: 9}}\n")
    s = load(cfg, tgt, heads)
    assert (s.threshold, s.k, s.single_point_max_bench, s.min_change) == (2, 10, 0, 0.05)
    assert (s.target_for("cicd"), s.target_for("automl")) == (0.7, 0.2)
    assert set(s.headcount) == {("2024-H1", "", 100), ("2024-H1", "Data", 9)}


def test_missing_optional_files(tmp_path):
    cfg = write(tmp_path, "app.yaml", "{}\n")
    s = load(cfg, tmp_path / "none.yaml", tmp_path / "none2.yaml")
    assert s == Settings()
    assert s.target_for("cicd") is None


@pytest.mark.parametrize("text", ["proficient_threshold: 7\n", "min_group_size: 0\n", "min_group_size: many\n",
                                  "min_change_pp: -1\n", "min_change_pp: lots\n",
                                  "- a list\n", "a: [unclosed\n"])
def test_bad_settings_give_one_line(tmp_path, text):
    with pytest.raises(SettingsError) as err:
        load(write(tmp_path, "app.yaml", text), tmp_path / "x", tmp_path / "y")
    assert "\n" not in str(err.value)


def test_target_out_of_range(tmp_path):
    with pytest.raises(SettingsError, match="cicd"):
        load(write(tmp_path, "app.yaml", "{}\n"), write(tmp_path, "t.yaml", "areas: {cicd: 70}\n"), tmp_path / "y")

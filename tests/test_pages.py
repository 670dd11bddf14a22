"""AppTest for every dashboard page: it runs, shows the expected headline numbers (worked out by
hand from tests/conftest.py) and reacts to the sidebar filters and the URL."""
import sys

import pytest
from dashboard_fixture import build_fixture_db

from pipelines import aggregates
from pipelines.db import writer

PAGES = ["pages/overview.py", "pages/coverage.py", "pages/cloud.py", "pages/trends.py"]


def clean(at):
    """No exception and no error box on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def param(at, key) -> list[str]:
    """A query parameter as a list, however AppTest holds it."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_overview_headline(app_test):
    at = app_test().run()
    clean(at)
    got = metrics(at)
    assert got["Respondents"] == "25"
    assert got["Org coverage index"] == "40%"  # mean of 0.4, 0.4, 0.4
    assert got["Single points of knowledge"] == "1"  # gke
    assert [m.delta for m in at.metric if m.label == "Org coverage index"] == ["-1.7 pp"]  # 0.4 - 1.25/3
    assert "Biggest movers since 2024-H1" in [s.value for s in at.subheader]


def test_overview_reacts_to_filters(app_test):
    at = app_test().run()
    at.sidebar.selectbox(key="f_wave").select("2024-H1").run()
    clean(at)
    assert metrics(at)["Respondents"] == "20"
    assert metrics(at)["Single points of knowledge"] == "2"
    assert param(at, "wave") == ["2024-H1"]
    at.sidebar.multiselect(key="f_team").select("Platform").run()
    assert metrics(at)["Respondents"] == "6"  # its reporting group p02-p07 (p01 is counted with other teams)
    assert any("Figures cover 6 people" in c.value for c in at.caption)
    assert param(at, "team") == ["Platform"]


def test_filters_come_from_the_link(app_test):
    at = app_test(query={"wave": "2024-H1", "team": ["Platform", "Data"]}).run()
    clean(at)
    # Platform's group p02-p07; d01-d06 share a group with Ops and p01, which the filter cuts through.
    assert metrics(at)["Respondents"] == "6"
    assert at.sidebar.multiselect(key="f_team").value == ["Platform", "Data"]


def test_unknown_values_in_a_link_are_ignored(app_test):
    at = app_test(query={"wave": "1999", "team": "Nobody", "threshold": "9"}).run()
    clean(at)
    assert metrics(at)["Respondents"] == "25"


def test_small_selection_explains_itself(app_test):
    at = app_test().run()
    at.sidebar.multiselect(key="f_role").select("Manager").run()  # p01 and d01, in groups with Engineers
    clean(at)
    assert any("No reporting group lies wholly inside these filters" in i.value for i in at.info)
    assert not at.metric


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_keeps_the_filters(app_test, page):
    at = app_test().run()
    at.sidebar.selectbox(key="f_wave").select("2024-H1").run()
    at.switch_page(page).run()
    clean(at)
    assert at.sidebar.selectbox(key="f_wave").value == "2024-H1"
    assert at.title and at.subheader
    assert len(at.get("download_button")) == len(at.dataframe) > 0  # every table can be downloaded


def test_coverage_page_tables(app_test):
    at = app_test().run()
    at.sidebar.selectbox(key="f_wave").select("2024-H1").run()
    at.switch_page("pages/coverage.py").run()
    clean(at)
    heat = at.dataframe[0].value  # wave 1: Platform p02-p07, ML, and 'Other teams' (p01 d01-d06 o01 o02)
    assert set(heat["team"]) == {"Platform", "ML", "Other teams"} and not heat["suppressed"].any()
    assert any("2 skills with at most 1 person" in w.value for w in at.warning)
    at.sidebar.multiselect(key="f_area").select("containers_microservices").run()
    clean(at)
    assert at.selectbox(key="coverage_likert_area").options == ["Containers and microservices"]
    likert = at.dataframe[1].value
    assert list(dict.fromkeys(likert["skill_name"])) == ["Docker", "Kubernetes", "Google Kubernetes Engine"]


def test_coverage_page_threshold_and_language(app_test):
    at = app_test().run()
    at.switch_page("pages/coverage.py").run()
    at.sidebar.radio(key="f_lang").set_value("ja").run()
    clean(at)
    areas = at.dataframe[3].value  # area coverage table
    assert "インフラのコード化" in set(areas["area_name"])
    at.sidebar.select_slider(key="f_threshold").set_value(2).run()
    clean(at)
    areas = at.dataframe[3].value.set_index("area_name")
    # threshold 2, wave 2, IaC best levels at 2+: the 10 at 3+ plus p10 d01 d06 = 13 of 25.
    assert areas.loc["インフラのコード化", "coverage"] == pytest.approx(13 / 25)


def test_cloud_page_breakdowns(app_test):
    at = app_test().run()
    at.switch_page("pages/cloud.py").run()
    clean(at)
    preferred = at.dataframe[0].value  # wave 2: each team's own group; p01 p08 d01 o01 o02 as 'Other teams'
    assert set(preferred["group"]) == {"Platform", "Data", "ML", "Other teams"} and not preferred["suppressed"].any()
    at.radio(key="cloud_by").set_value("wave").run()
    clean(at)
    by_wave = at.dataframe[0].value
    aws = by_wave[by_wave["provider"] == "AWS"].set_index("group")["share"]
    assert aws.to_dict() == pytest.approx({"2024-H1": 0.35, "2024-H2": 0.48})


def test_trends_page_population_toggle(app_test):
    at = app_test().run()
    at.switch_page("pages/trends.py").run()
    clean(at)
    def iac_change(frame):
        row = (frame["wave_label"] == "2024-H2") & (frame["area_name"] == "Infrastructure as code")
        return frame.loc[row, "delta_pp"].iloc[0]

    # IaC: 7/20 -> 10/25 = +5 pp for everyone; 7/20 -> 9/20 = +10 pp for the returning 20.
    assert iac_change(at.dataframe[0].value) == pytest.approx(5.0)
    # The fixture's skill changes are all inside the noise (e.g. Terraform 35% of 20 -> 40% of 25).
    assert any("moved beyond the noise" in i.value for i in at.info)
    at.radio(key="trends_population").set_value("cohort").run()
    clean(at)
    assert iac_change(at.dataframe[0].value) == pytest.approx(10.0)


def test_empty_database_points_to_upload(app_test, tmp_path):
    empty = str(tmp_path / "empty.duckdb")
    with writer(empty) as con:
        aggregates.refresh(con)
    at = app_test(db=empty).run()
    clean(at)
    assert any("no survey data" in i.value for i in at.info)


def test_first_start_builds_the_demo_and_says_so(app_test, tmp_path, monkeypatch):
    import pipelines.demo

    built = []

    def fake_demo(path):  # the real demo is the lead's; here it only has to leave a database behind
        build_fixture_db(str(path))
        built.append(path)
        return ["wave 1", "wave 2"]

    monkeypatch.setattr(pipelines.demo, "build_demo", fake_demo)
    path = str(tmp_path / "new" / "skills.duckdb")
    at = app_test(db=path).run()
    clean(at)
    assert built == [path]
    assert any("Built the demo database" in i.value for i in at.info)
    assert metrics(at)["Respondents"] == "25"


def test_first_start_without_the_demo_module(app_test, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pipelines.demo", None)  # import fails
    at = app_test(db=str(tmp_path / "none.duckdb")).run()
    clean(at)
    assert any("no survey data" in i.value for i in at.info)


def test_database_that_is_not_duckdb(app_test, tmp_path):
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    at = app_test(db=str(junk)).run()
    assert not at.exception
    assert len(at.error) == 1 and "\n" not in at.error[0].value


def test_running_load_keeps_the_last_figures(app_test, monkeypatch):
    import analytics.db

    at = app_test().run()
    assert metrics(at)["Respondents"] == "25"

    def busy(*args, **kwargs):
        raise analytics.db.DatabaseBusy("the database is busy with a data load; try again in a moment")

    monkeypatch.setattr(analytics.db, "data_version", busy)
    at.run()
    clean(at)
    assert any("A data load is running" in w.value for w in at.warning)
    assert metrics(at)["Respondents"] == "25"

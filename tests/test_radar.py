"""The tech radar: rings, movement, the build-your-own-radar CSV, the SVG / PNG and the page.

Expected values are worked out by hand from tests/dashboard_fixture.py (two waves, 20 then 25
people; level 3+ counts as proficient; rules adopt 0.40, trial 0.20, assess_interest 0.10):
- terraform: wave 1 7 of 20 (p01 p02 p03 p07 m03 o01 o02) = 0.35 Trial; wave 2 + p04 p05 p11 =
  10 of 25 = 0.40 Adopt: moved in.
- docker: wave 1 10 of 20 = 0.50, wave 2 10 of 25 = 0.40: Adopt both times.
- kubernetes (d01-d06): wave 1 1 of 6 with 3 of 20 wanting to learn it (0.15): Assess; wave 2
  2 of 6 = 0.33: Trial, moved in.
- gcp_gke (m01-m05): nobody at 3+, nobody wants it: Hold.
- aws_ec2 3 of 9, gcp_gce 3 of 8: Trial; aws_cloudformation: 2 answered, under k: not placed.
"""
from __future__ import annotations

import csv
import io

import pytest
from pipeline_fixtures import write_csv

from analytics.filters import Filters
from analytics.radar import RadarRulesError, byor_csv, load_rules, ring, tech_radar
from analytics.radar_chart import radar_png, radar_svg
from analytics.settings import Settings
from schemas.radar import RadarRules

RULES = RadarRules()
NAMES = dict.fromkeys(("Adopt", "Trial", "Assess", "Hold"))


def rings(frame) -> dict:
    return {row.skill_id: (row.ring if isinstance(row.ring, str) else None, row.movement if
                           isinstance(row.movement, str) else None) for row in frame.itertuples()}


def test_rings_and_movement_in_the_latest_wave(dashboard_db):
    radar = tech_radar(dashboard_db, Filters(), Settings(), RULES)
    assert rings(radar) == {
        "terraform": ("Adopt", "in"), "docker": ("Adopt", "none"), "kubernetes": ("Trial", "in"),
        "gcp_gke": ("Hold", "none"), "aws_ec2": ("Trial", "none"), "gcp_gce": ("Trial", "none"),
        "aws_cloudformation": (None, None),
    }
    k8s = radar.set_index("skill_id").loc["kubernetes"]
    assert (k8s["prev_ring"], k8s["coverage"], k8s["prev_coverage"]) == ("Assess", pytest.approx(2 / 6),
                                                                         pytest.approx(1 / 6))
    assert radar.set_index("skill_id").loc["aws_cloudformation", "suppressed"]
    assert set(radar["quadrant"]) == {"DevOps"}  # no quadrants configured: the track
    shipped = tech_radar(dashboard_db, Filters(), Settings(), load_rules()).set_index("skill_id")["quadrant"]
    assert shipped["terraform"] == "Delivery" and shipped["docker"] == "Cloud and platform"  # data/radar.yaml


def test_first_wave_has_no_movement(dashboard_db):
    radar = tech_radar(dashboard_db, Filters(wave_id=1), Settings(), RULES)
    got = rings(radar)
    assert got["kubernetes"] == ("Assess", "none") and got["terraform"] == ("Trial", "none")
    assert radar["prev_wave_label"].isna().all()


def test_thresholds_are_settings(dashboard_db):
    strict = RadarRules(adopt=0.5, trial=0.35, assess_interest=0.2)
    got = rings(tech_radar(dashboard_db, Filters(), Settings(), strict))
    # terraform 0.40 and 0.35: Trial both times; kubernetes 0.33 now (Hold: nobody wants it in wave 2),
    # 0.17 with 0.15 interest before (Hold too, under 0.2).
    assert got["terraform"] == ("Trial", "none")
    assert got["docker"] == ("Trial", "out")
    assert got["kubernetes"] == ("Hold", "none")
    assert got["gcp_gce"] == ("Trial", "none") and got["aws_ec2"] == ("Hold", "none")


def test_ring_rule_edges():
    assert ring(0.40, 0.0, RULES) == "Adopt"
    assert ring(0.3999, 0.0, RULES) == "Trial"
    assert ring(0.20, 0.0, RULES) == "Trial"
    assert ring(0.19, 0.10, RULES) == "Assess"
    assert ring(0.19, 0.09, RULES) == "Hold"
    assert ring(float("nan"), 0.5, RULES) is None
    assert ring(0.0, float("nan"), RULES) == "Hold"


def test_a_small_selection_places_nothing(dashboard_db):
    # p01 and d01, the two managers, sit in reporting groups with other roles (docs/privacy.md): no
    # whole group lies inside this selection, so it counts nobody and no blip is placed.
    radar = tech_radar(dashboard_db, Filters(roles=("Manager",)), Settings(), RULES)
    assert len(radar) == 7 and radar["ring"].isna().all()
    assert radar["coverage"].isna().all() and (radar["n_answered"].fillna(0) == 0).all()


def test_team_filter(dashboard_db):
    # Platform counts its whole reporting groups only (docs/privacy.md): Engineer x Tokyo, 10 people in
    # wave 2 (p02-p07, p09-p12) and 6 in wave 1 (p02-p07); p01 (Manager) and p08 (Remote) are in "Other".
    # Terraform at 3+: wave 2 p02 p03 p04 p05 p07 p11 = 6 of 10; wave 1 p02 p03 p07 = 3 of 6.
    radar = tech_radar(dashboard_db, Filters(teams=("Platform",)), Settings(), RULES).set_index("skill_id")
    assert radar.loc["terraform", "coverage"] == pytest.approx(6 / 10)
    assert radar.loc["terraform", "prev_coverage"] == pytest.approx(3 / 6)
    assert radar.loc["terraform", "ring"] == "Adopt"


def test_new_blip_from_a_loaded_survey(env):
    """Istio is first asked in the second wave: it is new there (and only there)."""
    people = [f"p{i}@example.com" for i in range(6)]
    first = [["Email Address", "Team", "Docker"], *[[p, "A", lvl] for p, lvl in zip(people, "443210", strict=True)]]
    second = [["Email Address", "Team", "Docker", "Istio"],
              *[[p, "A", d, i] for p, d, i in zip(people, "443210", "300000", strict=True)]]
    assert env.ingest(write_csv(env.tmp / "a.csv", first), wave="2025-H1").status == "loaded"
    assert env.ingest(write_csv(env.tmp / "b.csv", second), wave="2025-H2").status == "loaded"
    radar = tech_radar(env.db, Filters(), Settings(), RULES)
    assert rings(radar) == {"docker": ("Adopt", "none"), "istio": ("Hold", "new")}  # 3 of 6; 1 of 6 = 0.17
    rows = list(csv.DictReader(io.StringIO(byor_csv(radar, 3, "2025-H1").decode("utf-8"))))
    assert [(r["name"], r["ring"], r["isNew"]) for r in rows] == [("Docker", "Adopt", "FALSE"), ("Istio", "Hold", "TRUE")]
    assert rows[1]["description"] == "17% of those who answered are at level 3+; new on the radar since 2025-H1."


def test_byor_csv_columns_and_content(dashboard_db):
    radar = tech_radar(dashboard_db, Filters(), Settings(), RULES)
    data = byor_csv(radar, 3, "2024-H1")
    assert not data.startswith(b"\xef\xbb\xbf")  # a BOM would rename build-your-own-radar's first column
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == ["name", "ring", "quadrant", "isNew", "description"]
    by_name = {r["name"]: r for r in rows}
    assert "AWS CloudFormation" not in by_name  # hidden under k: not on the radar
    assert len(rows) == 6
    assert by_name["Terraform"]["ring"] == "Adopt" and by_name["Terraform"]["isNew"] == "FALSE"
    assert by_name["Terraform"]["description"] == ("40% of those who answered are at level 3+; +5 pp since 2024-H1; "
                                                  "moved in from Trial.")
    ja = list(csv.DictReader(io.StringIO(byor_csv(radar, 3, "2024-H1", "ja").decode("utf-8"))))
    assert {r["ring"] for r in ja} == {"採用", "試行", "保留"}


def test_svg_and_png(dashboard_db):
    radar = tech_radar(dashboard_db, Filters(), Settings(), RULES)
    svg = radar_svg(radar, {"Adopt": "Adopt", "Trial": "Trial", "Assess": "Assess", "Hold": "Hold"}, "Radar <2024-H2>",
                    link="coverage?wave=2024-H2&area={area_id}")
    assert svg.startswith("<svg") and "Radar &lt;2024-H2&gt;" in svg
    assert svg.count("<a href=") == 6  # one link per placed blip
    assert 'href="coverage?wave=2024-H2&amp;area=infrastructure_as_code"' in svg
    assert "CloudFormation" not in svg
    assert svg.count("<path") == 2 + 2  # terraform and kubernetes moved in, plus the key's two triangles
    png = radar_png(svg)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_rules_file_errors_are_one_line(tmp_path):
    bad = tmp_path / "radar.yaml"
    bad.write_text("adopt: 0.1\ntrial: 0.3\n", encoding="utf-8")
    with pytest.raises(RadarRulesError, match="trial .* must not be above adopt"):
        load_rules(bad)
    bad.write_text("adopt: 2\n", encoding="utf-8")
    with pytest.raises(RadarRulesError, match="radar.yaml: adopt"):
        load_rules(bad)
    bad.write_text("adopt: [\n", encoding="utf-8")
    with pytest.raises(RadarRulesError, match="not valid YAML"):
        load_rules(bad)
    assert load_rules(tmp_path / "missing.yaml") == RadarRules()


def test_radar_page(app_test):
    at = app_test().run()
    at.switch_page("pages/radar.py").run()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Tech radar"]
    assert sum("<svg" in m.value for m in at.markdown) == 1
    assert {b.label for b in at.get("download_button")} >= {"Radar as SVG", "Radar as PNG", "Build-your-own-radar CSV",
                                                          "Report as HTML", "Report as PDF"}
    blips = at.dataframe[0].value.set_index("skill_name")
    assert blips.loc["Terraform", "ring"] == "Adopt" and blips.loc["Terraform", "movement"] == "in"
    assert any("1 skill is not placed" in c.value for c in at.caption)
    at.sidebar.multiselect(key="f_role").select("Manager").run()
    assert any("No reporting group lies wholly inside these filters" in i.value for i in at.info)
    assert not any("<svg" in m.value for m in at.markdown)

"""A deterministic synthetic engineering organisation, surveyed in four half-year waves.

Everything is drawn from one seeded numpy Generator in a fixed order, so the same seed gives the
same people, answers and (in pipelines.demo) the same export files byte for byte.

The model, in one paragraph: each person has a latent 0-4 score per skill = the skill's base +
its market trend x wave + team and role profile + personal ability + a personal quirk + growth
with tenure + a little self-report noise; a wave's answer is that score rounded and clipped.
People leave (~10% a half-year) and are replaced by hires weighted towards the growing teams;
~88% answer each wave. Cloud preference is a fixed personal position on an AWS-GCP-Azure line
whose cut points move each wave, so AWS's share falls while GCP and Azure gain.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_SEED = 20240513
LEAVE_RATE = 0.10
NET_GROWTH = 0.03  # hires beyond replacement, per half-year
SKIP_CELL_RATE = 0.006  # a few grid cells left empty
SURVEY_WINDOW_DAYS = 14
TENURE_GROWTH = 0.12  # latent levels gained per half-year of tenure, before personal learning rate
PROVIDERS = ("AWS", "GCP", "Azure")


@dataclass(frozen=True)
class WaveSpec:
    label: str
    survey_date: dt.date
    language: str  # en or ja: headers and level labels of the export
    fmt: str  # csv or xlsx
    duplicates: int  # people who submitted twice (the later submission counts)

    @property
    def file_name(self) -> str:
        suffix = "_ja" if self.language == "ja" else ""
        return f"skills_survey_{self.label}_responses{suffix}.{self.fmt}"


WAVES: tuple[WaveSpec, ...] = (
    WaveSpec("2024-H1", dt.date(2024, 5, 13), "en", "csv", 1),
    WaveSpec("2024-H2", dt.date(2024, 11, 11), "ja", "csv", 1),
    WaveSpec("2025-H1", dt.date(2025, 5, 12), "en", "xlsx", 0),
    WaveSpec("2025-H2", dt.date(2025, 11, 10), "en", "csv", 1),
)

# Cloud preference shares per wave (before team leanings): AWS falls, GCP rises, Azure grows a little.
AWS_SHARE = (0.60, 0.54, 0.47, 0.41)
AZURE_SHARE = (0.06, 0.08, 0.10, 0.12)
# Chance of also using a provider one doesn't prefer, per wave.
ALSO_USES = {"AWS": (0.80, 0.78, 0.74, 0.70), "GCP": (0.40, 0.46, 0.53, 0.60), "Azure": (0.06, 0.08, 0.10, 0.13)}

# The questionnaire: each area's main skills (61 of the taxonomy's 126, every area represented).
# skill_id: (base latent level in 2024-H1, change per half-year as the organisation adopts it)
SKILLS: dict[str, tuple[float, float]] = {
    "aws_ec2": (1.9, 0.05), "gcp_gce": (0.9, 0.12), "azure_vm": (0.3, 0.06), "aws_s3": (2.2, 0.04),
    "gcp_gcs": (1.1, 0.12), "aws_rds": (1.8, 0.04), "gcp_cloud_sql": (0.9, 0.12), "gcp_pubsub": (0.7, 0.12),
    "vpc_network_design": (1.2, 0.06), "architecture_diagrams": (1.6, 0.06),
    "git_flow": (2.3, 0.0), "github_flow": (2.0, 0.08),
    "terraform": (0.9, 0.24), "aws_cloudformation": (1.2, 0.0), "pulumi": (0.3, 0.06), "azure_arm": (0.2, 0.05),
    "docker": (2.1, 0.12), "kubernetes": (0.8, 0.24), "aws_eks": (0.8, 0.06), "gcp_gke": (0.6, 0.20),
    "azure_aks": (0.2, 0.05), "istio": (0.4, 0.08), "aws_app_mesh": (0.2, 0.0),
    "aws_cognito": (0.7, 0.02), "auth0": (0.6, 0.04),
    "aws_lambda": (1.5, 0.05), "gcp_cloud_run": (0.5, 0.20), "azure_functions": (0.2, 0.06),
    "flyway": (0.8, 0.02), "ridgepole": (0.0, 0.0),
    "aws_iam": (1.7, 0.06), "gcp_iam": (0.8, 0.14),
    "spark": (0.6, 0.06), "gcp_dataflow": (0.4, 0.10), "azure_hdinsight": (0.0, 0.0),
    "airflow": (0.6, 0.10), "aws_step_functions": (0.6, 0.04),
    "github_actions": (1.6, 0.22), "jenkins": (1.6, -0.06), "argo_cd": (0.4, 0.20), "spinnaker": (0.0, 0.0),
    "aws_cloudwatch": (1.6, 0.04), "datadog": (1.2, 0.12), "mackerel": (0.4, 0.0),
    "gcp_bigquery": (0.9, 0.16), "aws_redshift": (0.8, 0.0), "treasure_data": (0.0, 0.0),
    "bash": (2.1, 0.05), "aws_cli": (1.9, 0.04), "gcloud_cli": (0.9, 0.14),
    "unit_tests": (2.1, 0.06), "linter": (2.1, 0.04), "localstack": (0.5, 0.05),
    "math_foundations": (1.0, 0.03), "jupyter_notebook": (1.2, 0.06),
    "aws_sagemaker": (0.3, 0.04), "gcp_ai_platform": (0.2, 0.12),
    "kubeflow_pipelines": (0.1, 0.06), "mlflow": (0.2, 0.12),
    "gcp_automl": (0.1, 0.06), "azure_automl": (0.0, 0.05),
}
QUESTIONNAIRE: tuple[str, ...] = tuple(SKILLS)

# Single points of knowledge: (skill, team) -> levels of the only people who hold it. Everyone
# else is capped at "aware". Holders never leave and always answer, so the risk stays visible.
SOLE_HOLDERS: dict[tuple[str, str], tuple[int, ...]] = {
    ("ridgepole", "Backend"): (4,),
    ("azure_hdinsight", "Data"): (4,),
    ("spinnaker", "Platform"): (4, 3),
    ("treasure_data", "Data"): (4, 3),
}
CAP_OTHERS_AT = 1


@dataclass(frozen=True)
class TeamSpec:
    size: int  # headcount in the first wave
    hire_weight: float  # relative pull on new hires (growing teams > 1)
    cloud_lean: float  # shift on the AWS(0)-GCP-Azure(1) preference line
    roles: dict[str, float]
    boosts: dict[str, float]  # area_id or skill_id -> latent levels added


TEAMS: dict[str, TeamSpec] = {
    "Backend": TeamSpec(105, 1.0, -0.03, {"Backend Engineer": 0.76, "Tech Lead": 0.07, "QA Engineer": 0.08,
                                          "Engineering Manager": 0.05, "SRE": 0.04},
                        {"foundation_code": 1.0, "schema_migration": 1.0, "authentication": 0.7, "serverless": 0.6,
                         "git_branching": 0.5, "managed_services": 0.3, "ml_fundamentals": -0.5}),
    "Frontend": TeamSpec(65, 0.8, 0.0, {"Frontend Engineer": 0.84, "Tech Lead": 0.06, "QA Engineer": 0.06,
                                        "Engineering Manager": 0.04},
                         {"foundation_code": 0.8, "git_branching": 0.8, "cicd": 0.3, "authentication": 0.4,
                          "managed_services": -0.6, "infrastructure_as_code": -0.6, "big_data": -0.5,
                          "ml_fundamentals": -0.6}),
    "Mobile": TeamSpec(40, 0.8, 0.0, {"Mobile Engineer": 0.83, "QA Engineer": 0.09, "Tech Lead": 0.04,
                                      "Engineering Manager": 0.04},
                       {"authentication": 0.9, "foundation_code": 0.6, "git_branching": 0.6,
                        "managed_services": -0.5, "infrastructure_as_code": -0.7, "big_data": -0.6}),
    "Platform": TeamSpec(48, 1.4, -0.02, {"Platform Engineer": 0.72, "SRE": 0.14, "Tech Lead": 0.08,
                                          "Engineering Manager": 0.06},
                         {"infrastructure_as_code": 1.6, "containers_microservices": 1.4, "cicd": 0.9,
                          "permissions": 0.8, "cloud_architecture": 1.0, "bash_cli": 0.8, "managed_services": 0.6}),
    "SRE": TeamSpec(40, 1.1, -0.05, {"SRE": 0.84, "Platform Engineer": 0.08, "Engineering Manager": 0.08},
                    {"logging_monitoring": 1.6, "containers_microservices": 1.0, "infrastructure_as_code": 1.0,
                     "bash_cli": 1.1, "managed_services": 0.7, "cloud_architecture": 0.6, "cicd": 0.5}),
    "Data": TeamSpec(52, 1.2, 0.12, {"Data Engineer": 0.62, "Data Scientist": 0.25, "ML Engineer": 0.05,
                                     "Tech Lead": 0.04, "Engineering Manager": 0.04},
                     {"big_data": 1.6, "batch_jobflow": 1.4, "analytics_platform": 1.6, "managed_services": 0.3,
                      "ml_fundamentals": 0.6, "bash_cli": 0.3}),
    "ML": TeamSpec(40, 1.6, 0.15, {"ML Engineer": 0.62, "Data Scientist": 0.26, "Data Engineer": 0.06,
                                   "Engineering Manager": 0.06},
                   {"ml_fundamentals": 1.8, "ml_platform": 1.8, "ml_workflow": 1.7, "automl": 1.3, "big_data": 0.6,
                    "containers_microservices": 0.3, "analytics_platform": 0.5}),
    "Security": TeamSpec(45, 1.0, 0.0, {"Security Engineer": 0.84, "SRE": 0.08, "Engineering Manager": 0.08},
                         {"permissions": 1.9, "authentication": 1.3, "cloud_architecture": 0.9,
                          "logging_monitoring": 0.7, "bash_cli": 0.5}),
    "Infra": TeamSpec(45, 0.9, -0.08, {"Infrastructure Engineer": 0.76, "SRE": 0.12, "Tech Lead": 0.06,
                                       "Engineering Manager": 0.06},
                      {"managed_services": 1.1, "cloud_architecture": 1.5, "infrastructure_as_code": 1.0,
                       "bash_cli": 0.9, "permissions": 0.5, "logging_monitoring": 0.5}),
}

ROLE_BOOSTS: dict[str, dict[str, float]] = {
    "Engineering Manager": {"*": -0.3, "cloud_architecture": 0.7, "git_branching": 0.4},
    "Tech Lead": {"*": 0.3, "cloud_architecture": 0.8},
    "QA Engineer": {"*": -0.3, "foundation_code": 0.8, "cicd": 0.5},
    "Data Scientist": {"ml_fundamentals": 1.4, "analytics_platform": 0.8, "ml_platform": 0.5,
                       "infrastructure_as_code": -0.5, "containers_microservices": -0.3},
    "SRE": {"logging_monitoring": 0.8, "bash_cli": 0.6, "containers_microservices": 0.4},
    "Platform Engineer": {"infrastructure_as_code": 0.6, "containers_microservices": 0.6},
    "ML Engineer": {"ml_workflow": 0.8, "ml_platform": 0.6, "containers_microservices": 0.3},
    "Data Engineer": {"big_data": 0.6, "batch_jobflow": 0.6},
    "Security Engineer": {"permissions": 0.8, "authentication": 0.5},
    "Infrastructure Engineer": {"managed_services": 0.5, "cloud_architecture": 0.4},
    "Backend Engineer": {"foundation_code": 0.3, "schema_migration": 0.3},
    "Frontend Engineer": {"foundation_code": 0.3},
    "Mobile Engineer": {"authentication": 0.4},
}

LOCATIONS = ("Tokyo", "Osaka", "Fukuoka", "Sapporo", "Remote")
LOCATION_WEIGHTS_FIRST = (0.58, 0.15, 0.10, 0.04, 0.13)
LOCATION_WEIGHTS_HIRES = (0.45, 0.12, 0.10, 0.03, 0.30)  # newer hires are more often remote

GIVEN_NAMES = (
    "aiko", "akira", "asuka", "ayumi", "chihiro", "daichi", "daisuke", "emi", "eri", "haruka", "haruto",
    "hina", "hiroshi", "hiroki", "kaito", "kana", "kazuki", "kenji", "koji", "mai", "makoto", "mao",
    "masato", "mei", "miho", "minato", "misaki", "naoki", "nanami", "natsuki", "riku", "rin", "ryo",
    "ryota", "sakura", "satoshi", "shota", "sota", "takumi", "takeshi", "tomoya", "tsubasa", "yui",
    "yuka", "yuki", "yusuke", "yuto", "yuna", "kenta", "shun",
)
FAMILY_NAMES = (
    "tanaka", "suzuki", "sato", "takahashi", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi",
    "kato", "yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue", "kimura", "hayashi",
    "shimizu", "yamazaki", "mori", "abe", "ikeda", "hashimoto", "ishikawa", "ogawa", "maeda", "okada",
    "hasegawa", "fujita", "goto", "kondo", "murakami", "endo", "aoki", "sakamoto", "saito", "fukuda",
    "ota", "nishimura", "fujii", "okamoto", "fujiwara", "miura", "matsuda", "nakajima", "harada", "ono",
    "takeda", "ueda",
)
MAX_PEOPLE = 1000  # the pool persons are drawn from, more than initial headcount plus all hires


@dataclass(frozen=True)
class Organisation:
    """The generated organisation: everyone who ever worked there, and each wave's submissions.

    ``submissions[label]`` has one row per form submission (superseded duplicates included), in
    submission order, with columns email, submitted_at, team, role, location, preferred (provider),
    uses (tuple of providers), learn (tuple of skill ids), then one nullable Int8 level column per
    questionnaire skill id (<NA> = left empty).
    """

    people: pd.DataFrame
    submissions: dict[str, pd.DataFrame]
    questionnaire: tuple[str, ...]
    waves: tuple[WaveSpec, ...]

    def headcount(self) -> dict[str, dict]:
        """Everyone employed (so invited) at each wave, in data/headcount.yaml's shape."""
        order = {w.label: i for i, w in enumerate(self.waves)}
        joined = self.people["join_wave"].map(order)
        left = self.people["leave_wave"].map(order).fillna(len(self.waves))
        out = {}
        for i, wave in enumerate(self.waves):
            active = self.people[(joined <= i) & (left > i)]
            teams = active["team"].value_counts().sort_index()
            out[wave.label] = {"total": len(active), "teams": {t: int(n) for t, n in teams.items()}}
        return out


def _skill_matrix(areas_of: dict[str, str], boosts: dict[str, float]) -> np.ndarray:
    """A boost table (area or skill ids, '*' = all) as one value per questionnaire skill."""
    default = boosts.get("*", 0.0)
    return np.array([boosts.get(s, 0.0) + boosts.get(areas_of[s], 0.0) + default for s in QUESTIONNAIRE])


def _pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    """``size`` draws from ``options`` (value -> weight)."""
    w = np.asarray(list(options.values()), dtype=float)
    return np.asarray(list(options), dtype=object)[rng.choice(len(options), size=size, p=w / w.sum())]


def generate(seed: int = DEFAULT_SEED, areas_of: dict[str, str] | None = None) -> Organisation:
    """Draw the whole organisation and its four waves of submissions from ``seed``."""
    if areas_of is None:
        from pipelines.taxonomy import builtin

        skills = builtin().skills
        areas_of = dict(zip(skills["skill_id"], skills["area_id"], strict=True))
    rng = np.random.default_rng(seed)
    n_skills = len(QUESTIONNAIRE)
    team_names = list(TEAMS)
    role_names = sorted({r for t in TEAMS.values() for r in t.roles})
    team_boost = np.stack([_skill_matrix(areas_of, TEAMS[t].boosts) for t in team_names])
    role_boost = np.stack([_skill_matrix(areas_of, ROLE_BOOSTS.get(r, {})) for r in role_names])
    base = np.array([SKILLS[s][0] for s in QUESTIONNAIRE])
    trend = np.array([SKILLS[s][1] for s in QUESTIONNAIRE])

    # The pool of possible people, drawn up front so the draw order never depends on churn.
    names = rng.choice(len(GIVEN_NAMES) * len(FAMILY_NAMES), size=MAX_PEOPLE, replace=False)
    emails = [f"{GIVEN_NAMES[i % len(GIVEN_NAMES)]}.{FAMILY_NAMES[i // len(GIVEN_NAMES)]}@example.com" for i in names]
    ability = rng.normal(0.0, 0.5, MAX_PEOPLE)
    quirk = rng.normal(0.0, 0.75, (MAX_PEOPLE, n_skills))
    learn_rate = rng.lognormal(0.0, 0.35, MAX_PEOPLE)
    propensity = np.clip(rng.normal(0.88, 0.07, MAX_PEOPLE), 0.5, 0.99)
    cloud_pos = rng.uniform(0.0, 1.0, MAX_PEOPLE)

    team_idx = np.full(MAX_PEOPLE, -1)
    role = np.empty(MAX_PEOPLE, dtype=object)
    location = np.empty(MAX_PEOPLE, dtype=object)
    join_wave = np.full(MAX_PEOPLE, -1)
    leave_wave = np.full(MAX_PEOPLE, -1)  # first wave no longer employed; -1 = still there

    def hire(team_per_person: np.ndarray, wave: int, start: int) -> int:
        n = len(team_per_person)
        idx = np.arange(start, start + n)
        team_idx[idx] = team_per_person
        for t, team in enumerate(team_names):
            members = idx[team_per_person == t]
            role[members] = _pick(rng, TEAMS[team].roles, size=len(members))
        weights = LOCATION_WEIGHTS_FIRST if wave == 0 else LOCATION_WEIGHTS_HIRES
        location[idx] = _pick(rng, dict(zip(LOCATIONS, weights, strict=True)), size=n)
        join_wave[idx] = wave
        return start + n

    first_teams = np.repeat(np.arange(len(team_names)), [TEAMS[t].size for t in team_names])
    next_free = hire(first_teams, 0, 0)

    # Sole holders: the ablest member(s) of the team at the start.
    holder_level = np.full((MAX_PEOPLE, n_skills), -1)
    sole_skill_cols = [QUESTIONNAIRE.index(s) for s, _ in SOLE_HOLDERS]
    protected = np.zeros(MAX_PEOPLE, dtype=bool)
    taken: set[int] = set()
    for (skill, team), levels in SOLE_HOLDERS.items():
        members = [p for p in np.argsort(-ability[:next_free]) if team_names[team_idx[p]] == team and p not in taken]
        for person, level in zip(members, levels, strict=False):
            holder_level[person, QUESTIONNAIRE.index(skill)] = level
            protected[person] = True
            taken.add(person)

    hire_weight = np.array([TEAMS[t].size * TEAMS[t].hire_weight for t in team_names])
    cloud_lean = np.array([TEAMS[t].cloud_lean for t in team_names])
    submissions: dict[str, pd.DataFrame] = {}
    for w, spec in enumerate(WAVES):
        if w > 0:  # churn between waves
            active = np.flatnonzero((join_wave >= 0) & (leave_wave < 0))
            leaves = active[(rng.uniform(size=len(active)) < LEAVE_RATE) & ~protected[active]]
            leave_wave[leaves] = w
            n_hires = rng.poisson(len(leaves) + NET_GROWTH * len(active))
            next_free = hire(rng.choice(len(team_names), size=n_hires, p=hire_weight / hire_weight.sum()), w, next_free)
        active = np.flatnonzero((join_wave >= 0) & (leave_wave < 0))
        responds = (rng.uniform(size=len(active)) < propensity[active]) | protected[active]
        people = active[responds]
        submissions[spec.label] = _wave_submissions(
            rng, w, spec, people, emails, team_names, team_idx, role, location,
            latent=(base + trend * w + team_boost[team_idx[people]] + role_boost[_role_index(role[people], role_names)]
                    + ability[people, None] + quirk[people]
                    + (TENURE_GROWTH * (w - join_wave[people]) * learn_rate[people])[:, None]),
            holder_level=holder_level[people], sole_skill_cols=sole_skill_cols,
            cloud_pos=np.clip(cloud_pos[people] + cloud_lean[team_idx[people]], 0.0, 0.9999),
            trend=trend, team_boost=team_boost,
        )

    everyone = np.flatnonzero(join_wave >= 0)
    people_frame = pd.DataFrame({
        "email": [emails[p] for p in everyone],
        "team": [team_names[t] for t in team_idx[everyone]],
        "role": role[everyone], "location": location[everyone],
        "join_wave": [WAVES[j].label for j in join_wave[everyone]],
        "leave_wave": [WAVES[j].label if j >= 0 else None for j in leave_wave[everyone]],
        "sole_holder": protected[everyone],
    })
    return Organisation(people_frame, submissions, QUESTIONNAIRE, WAVES)


def _role_index(roles: np.ndarray, role_names: list[str]) -> np.ndarray:
    lookup = {r: i for i, r in enumerate(role_names)}
    return np.array([lookup[r] for r in roles], dtype=int)


def _wave_submissions(rng, w, spec, people, emails, team_names, team_idx, role, location, *, latent,
                      holder_level, sole_skill_cols, cloud_pos, trend, team_boost) -> pd.DataFrame:
    n, n_skills = latent.shape
    noisy = latent + rng.normal(0.0, 0.25, latent.shape)  # self-report noise
    levels = np.clip(np.floor(noisy + 0.5), 0, 4).astype(np.int8)
    for col in sole_skill_cols:
        held = holder_level[:, col] >= 0
        levels[:, col] = np.where(held, holder_level[:, col], np.minimum(levels[:, col], CAP_OTHERS_AT))
    skipped = rng.uniform(size=levels.shape) < SKIP_CELL_RATE

    # Preferred cloud: AWS below the AWS cut, Azure above the Azure cut, GCP in between.
    pos = np.clip(cloud_pos + rng.normal(0.0, 0.04, n), 0.0, 0.9999)
    preferred = np.where(pos < AWS_SHARE[w], "AWS", np.where(pos >= 1 - AZURE_SHARE[w], "Azure", "GCP"))
    also = {p: rng.uniform(size=n) < ALSO_USES[p][w] for p in PROVIDERS}
    uses = [tuple(p for p in PROVIDERS if preferred[i] == p or also[p][i]) for i in range(n)]

    # Learning interests: trending skills and the team's own areas are the most wanted.
    want = 0.3 + 8 * np.clip(trend, 0, None)
    n_learn = rng.choice(4, size=n, p=[0.12, 0.30, 0.34, 0.24])
    learn = []
    for i in range(n):
        weights = want * (1 + np.clip(team_boost[team_idx[people[i]]], 0, None))
        picks = rng.choice(n_skills, size=n_learn[i], replace=False, p=weights / weights.sum())
        learn.append(tuple(QUESTIONNAIRE[k] for k in sorted(picks)))

    start = dt.datetime.combine(spec.survey_date, dt.time(9, 0))
    day = rng.choice(SURVEY_WINDOW_DAYS, size=n, p=_day_weights())
    seconds = rng.integers(0, 10 * 3600, size=n)  # 09:00-19:00
    submitted = [start + dt.timedelta(days=int(d), seconds=int(s)) for d, s in zip(day, seconds, strict=True)]

    frame = pd.DataFrame({
        "email": [emails[p] for p in people],
        "submitted_at": pd.to_datetime(submitted),
        "team": [team_names[t] for t in team_idx[people]],
        "role": role[people], "location": location[people],
        "preferred": preferred, "uses": uses, "learn": learn,
    })
    level_frame = pd.DataFrame(levels, columns=list(QUESTIONNAIRE)).astype("Int8").mask(skipped)
    frame = pd.concat([frame, level_frame], axis=1)

    # A few people submitted twice: an earlier, slightly different answer that the later one replaces.
    if spec.duplicates:
        again = rng.choice(n, size=spec.duplicates, replace=False)
        earlier = frame.iloc[again].copy()
        earlier["submitted_at"] -= pd.to_timedelta(rng.integers(3600, 3 * 86400, size=len(again)), unit="s")
        lower = rng.uniform(size=(len(again), n_skills)) < 0.3
        earlier[list(QUESTIONNAIRE)] = (earlier[list(QUESTIONNAIRE)] - lower.astype(np.int8)).clip(lower=0)
        frame = pd.concat([frame, earlier], ignore_index=True)
    return frame.sort_values("submitted_at", kind="stable").reset_index(drop=True)


def _day_weights() -> np.ndarray:
    """Most answers come in the first days, with a bump after the reminder on day 7."""
    weights = np.array([0.5 ** (d / 2.5) for d in range(SURVEY_WINDOW_DAYS)])
    weights[7] += 0.35
    weights[8] += 0.15
    return weights / weights.sum()

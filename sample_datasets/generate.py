#!/usr/bin/env python3
"""Generate the sample take-home datasets (churn, fraud, delivery).

Run from the repository root::

    python sample_datasets/generate.py

Everything is synthetic and deterministic: fixed seeds, explicit float
formatting, fixed row order and "\\n" line endings, so every run writes
byte-identical files. Only numpy, pandas and the standard library are used.

For each assignment this writes, into ``sample_datasets/<name>/``:

* ``train.csv``              features + target (candidate-facing)
* ``test_features.csv``      features only     (candidate-facing)
* ``hidden/test_labels.csv`` id + target of the test rows (never given to
  candidates, never mounted into a sandbox)

The hand-written files (BRIEF.md, DATA_DICTIONARY.md, assignment.yaml) are not
touched by this script.

The data is deliberately messy the way real exports are (inconsistent
categories, numbers stored as text, mixed date formats, missing values that
are not missing at random, duplicates, outliers) and each assignment has a
planted leakage column; see the comments in each generator.
"""

from __future__ import annotations

import argparse
import hashlib
import string
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent

SEEDS = {"churn": 20240630, "fraud": 20240815, "delivery": 20241231}


# --------------------------------------------------------------------------
# Formatting helpers: every column is turned into text before writing, so the
# bytes on disk never depend on pandas' float repr or on dtype inference.
# --------------------------------------------------------------------------


def fmt_float(values: np.ndarray, decimals: int) -> list[str]:
    """Fixed-decimal text; NaN becomes an empty field; never writes "-0.00"."""
    out = []
    for v in np.asarray(values, dtype=float):
        if np.isnan(v):
            out.append("")
        else:
            out.append(f"{round(float(v), decimals) + 0.0:.{decimals}f}")
    return out


def fmt_int(values: np.ndarray) -> list[str]:
    """Integer text; NaN becomes an empty field."""
    out = []
    for v in np.asarray(values, dtype=float):
        out.append("" if np.isnan(v) else str(round(v)))
    return out


def fmt_money(value: float) -> str:
    """Money as a billing-system export writes it: "$1,234.50", "-$12.00"."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def pick(rng: np.random.Generator, options: Sequence[str], p: Sequence[float], n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p / p.sum())]


def messy_labels(
    rng: np.random.Generator, canonical: np.ndarray, variants: dict[str, tuple[Sequence[str], Sequence[float]]]
) -> np.ndarray:
    """Replace each canonical label by one of its spellings (first = canonical)."""
    out = canonical.astype(object).copy()
    for label in sorted(variants):
        spellings, weights = variants[label]
        idx = np.flatnonzero(canonical == label)
        out[idx] = pick(rng, spellings, weights, len(idx))
    return out


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def calibrate_intercept(z: np.ndarray, target_rate: float) -> float:
    """Intercept b such that mean(sigmoid(z + b)) == target_rate (bisection)."""
    lo, hi = -30.0, 30.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sigmoid(z + mid).mean() > target_rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df = df.astype(object).where(df.notna(), "")
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def random_codes(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    letters = np.array(list(alphabet))
    idx = rng.integers(0, len(letters), size=(n, length))
    return np.array(["".join(row) for row in letters[idx]], dtype=object)


# --------------------------------------------------------------------------
# 1. churn: telecom customer churn, binary classification
# --------------------------------------------------------------------------


def make_churn(seed: int, n_customers: int = 10_000, n_test: int = 2_000, dup_share: float = 0.01):
    """Return (train, test_features, test_labels) for the churn assignment.

    Signal: a logistic model on tenure (nonlinear), contract, charges, fiber
    without tech support, payment method, support calls (interacting with
    month-to-month contracts), usage-trend threshold, inactivity, lines, age,
    plus an unobserved "disengagement" latent that also drives usage trend,
    last login and satisfaction.

    Leakage: ``cancellation_reason`` is recorded by the retention team when a
    customer asks to cancel, i.e. after the fact; ~93 % of churners have one,
    ~1.5 % of non-churners (customers who were talked out of leaving).
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    snapshot = pd.Timestamp("2024-06-30")

    # --- customer base ------------------------------------------------------
    tenure_days = np.where(
        rng.random(n) < 0.35,
        rng.exponential(200, n),  # recent sign-ups from the 2023-24 campaigns
        rng.uniform(0, 72 * 30.44, n),
    )
    tenure_days = np.clip(np.round(tenure_days), 3, 72 * 30.44).astype(int)
    signup = snapshot - pd.to_timedelta(tenure_days, unit="D")
    tenure = np.floor(tenure_days / 30.44).astype(int)

    age = np.clip(np.round(rng.normal(46, 15, n)), 18, 89)
    region = pick(rng, ["Northeast", "Southeast", "Midwest", "Southwest", "West"], [22, 24, 21, 13, 20], n)

    plan = pick(rng, ["Basic", "Standard", "Premium", "Business"], [30, 38, 22, 10], n)
    is_business = plan == "Business"
    internet = pick(rng, ["Fiber optic", "DSL", "No"], [46, 34, 20], n)
    internet = np.where(is_business & (internet == "No"), "Fiber optic", internet)
    has_internet = internet != "No"
    fiber = internet == "Fiber optic"

    lines = np.clip(1 + rng.poisson(np.where(is_business, 3.0, 0.7)), 1, 12)

    # long-tenured customers are more often on long contracts
    p_mtm = np.clip(0.70 - 0.006 * tenure, 0.25, 0.70)
    p_two = np.clip(0.05 + 0.005 * tenure, 0.05, 0.40)
    u = rng.random(n)
    contract = np.where(u < p_mtm, "Month-to-month", np.where(u < p_mtm + p_two, "Two year", "One year"))
    mtm = contract == "Month-to-month"

    older = age >= 65
    pay_w = np.stack(
        [
            np.where(older, 0.18, 0.33),  # Electronic check
            np.where(older, 0.34, 0.12),  # Mailed check
            np.full(n, 0.25),  # Bank transfer (automatic)
            np.full(n, 0.30),  # Credit card (automatic)
        ],
        axis=1,
    )
    pay_w /= pay_w.sum(axis=1, keepdims=True)
    pay_idx = (rng.random(n)[:, None] > np.cumsum(pay_w, axis=1)).sum(axis=1)
    payment = np.array(
        ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"], dtype=object
    )[pay_idx]
    echeck = payment == "Electronic check"

    paperless = rng.random(n) < np.where(older, 0.40, 0.65)
    tech_support = has_internet & (rng.random(n) < np.where(is_business, 0.65, 0.30))

    base_charge = pd.Series(plan).map({"Basic": 24.0, "Standard": 49.0, "Premium": 79.0, "Business": 104.0}).to_numpy()
    charges = (
        base_charge
        + 9.5 * (lines - 1)
        + np.where(fiber, 21.0, np.where(internet == "DSL", 8.0, 0.0))
        + np.where(tech_support, 7.0, 0.0)
        + rng.normal(0, 5.5, n)
    )
    charges = np.round(np.maximum(charges, 12.0), 2)

    # latent disengagement: unobserved, drives usage, logins, satisfaction and churn
    disengaged = rng.normal(0, 1, n)

    usage_gb = np.where(has_internet, rng.lognormal(np.log(180), 0.7, n), rng.lognormal(np.log(9), 0.8, n))
    usage_gb *= np.exp(-0.25 * disengaged)
    usage_trend = rng.normal(0.02, 0.16, n) - 0.11 * disengaged
    support_lam = 0.55 + 0.9 * (fiber & ~tech_support) + 0.25 * np.maximum(disengaged, 0) + 0.15 * (tenure < 6)
    support_calls = rng.poisson(support_lam)
    last_login = np.round(rng.exponential(6.0 * np.exp(0.45 * disengaged), n))
    satisfaction = np.clip(np.round(7.2 - 1.3 * disengaged - 0.35 * support_calls + rng.normal(0, 1.3, n)), 0, 10)

    # --- churn model ----------------------------------------------------------
    contract_eff = np.where(mtm, 0.20, np.where(contract == "One year", -0.50, -1.10))
    expected_charge = base_charge + 9.5 * (lines - 1) + np.where(fiber, 21.0, np.where(internet == "DSL", 8.0, 0.0))
    many_calls = support_calls >= 3
    z = (
        contract_eff
        + 2.4 * (mtm * np.exp(-tenure / 9.0))  # new month-to-month customers are the most at risk
        + 0.20 * np.exp(-tenure / 9.0)
        - 0.40 * (tenure / 72.0)
        + 1.30 * (fiber & ~tech_support)  # fiber outages hurt most without tech support
        - 0.20 * (fiber & tech_support)
        + 1.00 * (echeck & mtm)
        + 1.40 * (mtm & many_calls)  # unresolved problems + nothing keeping them
        - 0.40 * (~mtm & many_calls)  # contract customers who call get their issue fixed
        + 1.10 * (usage_trend < -0.20)
        + 0.70 * (last_login > 21)
        + 1.30 * ((charges > 95) & (tenure < 24))  # bill shock after the promo period
        - 0.60 * ((charges > 95) & (tenure >= 36))  # long-standing premium customers are loyal
        + 0.010 * (charges - expected_charge)
        - 0.14 * (np.minimum(lines, 6) - 1)
        + 0.60 * (age < 26)
        + 0.50 * (age > 72)
        + 0.10 * paperless
        + 0.20 * disengaged
        + rng.normal(0, 0.90, n)  # what no column explains
    )
    z = z + calibrate_intercept(z, 0.195)
    churned = (rng.random(n) < sigmoid(z)).astype(int)
    is_churn = churned == 1

    # --- leakage: retention-team reason --------------------------------------
    reasons = np.array(
        [
            "Price too high",
            "Switched to competitor",
            "Poor network coverage",
            "Service outages",
            "Billing dispute",
            "Moving / relocation",
            "Customer service experience",
            "No longer needed",
            "Other",
        ],
        dtype=object,
    )
    w = np.ones((n, len(reasons)))
    w[:, 0] += 2.0 * (charges > 90) + 0.8 * echeck
    w[:, 1] += 1.5
    w[:, 2] += 0.5 * ~has_internet
    w[:, 3] += 1.8 * (fiber & ~tech_support)
    w[:, 4] += 0.7 * echeck
    w[:, 6] += 0.5 * np.minimum(support_calls, 4)
    w[:, 7] += 0.6 * (usage_trend < -0.2)
    w /= w.sum(axis=1, keepdims=True)
    reason_idx = (rng.random(n)[:, None] > np.cumsum(w, axis=1)).sum(axis=1)
    reason_idx = np.minimum(reason_idx, len(reasons) - 1)
    has_reason = np.where(is_churn, rng.random(n) < 0.93, rng.random(n) < 0.015)
    cancellation_reason = np.where(has_reason, reasons[reason_idx], "")
    # a couple of free-text entries typed by agents
    free_text = np.flatnonzero(has_reason & (rng.random(n) < 0.02))
    cancellation_reason[free_text] = pick(
        rng,
        ["too expensive", "went with competitor", "moving abroad", "cust. unhappy w/ support"],
        [1, 1, 1, 1],
        len(free_text),
    )

    # --- messy export ---------------------------------------------------------
    ids = np.sort(rng.choice(np.arange(1, 400_000), size=n, replace=False))
    customer_id = np.array([f"C{i:06d}" for i in ids], dtype=object)

    # signup_date: ISO, with a few rows from the old CRM in other formats
    sd_iso = signup.strftime("%Y-%m-%d").to_numpy().astype(object)
    fmt_u = rng.random(n)
    signup_date = sd_iso.copy()
    m_us = fmt_u < 0.025
    m_dt = (fmt_u >= 0.025) & (fmt_u < 0.035)
    m_mon = (fmt_u >= 0.035) & (fmt_u < 0.040)
    signup_date[m_us] = signup[m_us].strftime("%m/%d/%Y").to_numpy()
    signup_date[m_dt] = signup[m_dt].strftime("%Y-%m-%d 00:00:00").to_numpy()
    signup_date[m_mon] = signup[m_mon].strftime("%d-%b-%Y").to_numpy()
    signup_date[rng.random(n) < 0.004] = ""

    tenure_out = tenure.astype(float)
    tenure_out[rng.random(n) < 0.02] = np.nan

    age_out = age.copy()
    age_out[rng.random(n) < 0.07] = np.nan
    bad_age = rng.choice(n, size=24, replace=False)
    age_out[bad_age] = np.array([240, 999, -1, 0, 199, 2, 140, 999] * 3, dtype=float)

    region_out = region.copy()
    region_out[rng.random(n) < 0.012] = "Unknown"

    monthly_charges = charges.copy()
    miss_mc = np.where(is_business, rng.random(n) < 0.65, rng.random(n) < 0.012)
    monthly_charges[miss_mc] = np.nan
    neg_mc = rng.choice(np.flatnonzero(~miss_mc), size=30, replace=False)
    monthly_charges[neg_mc] = -np.round(rng.uniform(5, 60, len(neg_mc)), 2)  # credit adjustments
    huge_mc = rng.choice(np.flatnonzero(~miss_mc), size=4, replace=False)
    monthly_charges[huge_mc] = np.array([9999.99, 9999.99, 4250.0, 12500.0])

    total = charges * np.maximum(tenure_days / 30.44, 0) * rng.uniform(0.92, 1.03, n)
    total_txt = np.array([fmt_money(v) for v in total], dtype=object)
    plain = rng.random(n) < 0.12  # accounts migrated from the old billing platform
    total_txt[plain] = np.array([f"{v:.2f}" for v in total[plain]], dtype=object)
    total_txt[tenure < 1] = " "
    total_txt[rng.random(n) < 0.006] = ""

    contract_out = messy_labels(
        rng,
        contract.astype(object),
        {
            "Month-to-month": (["Month-to-month", "month to month", "Month-To-Month", "MTM"], [86, 7, 5, 2]),
            "One year": (["One year", "one year", "1 year", "12 months"], [88, 5, 5, 2]),
            "Two year": (["Two year", "two year", "2 year", "24 months"], [88, 5, 5, 2]),
        },
    )
    payment_out = messy_labels(
        rng,
        payment,
        {
            "Electronic check": (["Electronic check", "electronic check", "E-Check"], [90, 6, 4]),
            "Mailed check": (["Mailed check", "mailed check"], [94, 6]),
            "Bank transfer (automatic)": (
                ["Bank transfer (automatic)", "Bank transfer", "bank transfer (automatic)"],
                [88, 8, 4],
            ),
            "Credit card (automatic)": (
                ["Credit card (automatic)", "Credit Card", "credit card (automatic)"],
                [88, 8, 4],
            ),
        },
    )
    payment_out[rng.random(n) < 0.015] = ""

    yes_no = {
        "Yes": (["Yes", "yes", "Y", "TRUE"], [82, 8, 6, 4]),
        "No": (["No", "no", "N", "FALSE"], [82, 8, 6, 4]),
    }
    paperless_out = messy_labels(rng, np.where(paperless, "Yes", "No").astype(object), yes_no)
    tech_out = messy_labels(rng, np.where(tech_support, "Yes", "No").astype(object), yes_no)
    tech_out[~has_internet] = "No internet service"

    internet_out = messy_labels(
        rng,
        internet.astype(object),
        {
            "Fiber optic": (["Fiber optic", "fiber", "Fiber"], [90, 5, 5]),
            "DSL": (["DSL", "dsl"], [94, 6]),
            "No": (["No", "None"], [85, 15]),
        },
    )

    opt_in = rng.random(n) < 0.42
    opt_in_out = np.where(
        opt_in,
        pick(rng, ["TRUE", "Yes", "1", "true"], [60, 25, 10, 5], n),
        pick(rng, ["FALSE", "No", "0", "false"], [60, 25, 10, 5], n),
    ).astype(object)

    usage_out = np.round(usage_gb, 1)
    usage_out[rng.choice(n, size=6, replace=False)] = np.array([98765.4, 123456.7, 99999.9, 99999.9, 87000.0, 250000.0])
    usage_out[rng.random(n) < 0.03] = np.nan

    support_out = support_calls.astype(float)
    support_out[rng.choice(n, size=5, replace=False)] = 99  # placeholder code used by the call-centre system

    last_login_out = last_login.copy()
    miss_login = np.where(is_churn, rng.random(n) < 0.24, rng.random(n) < 0.05)  # app account deleted
    last_login_out[miss_login] = np.nan

    sat_out = satisfaction.copy()
    sat_out[rng.random(n) > 0.32] = np.nan  # only customers who answered the survey

    referral = np.full(n, "", dtype=object)
    has_ref = rng.random(n) < 0.34
    referral[has_ref] = np.array(
        ["REF-" + c for c in random_codes(rng, int(has_ref.sum()), 6, string.ascii_uppercase + string.digits)],
        dtype=object,
    )
    promo = has_ref & (rng.random(n) < 0.12)
    referral[promo] = pick(rng, ["SUMMER2023", "FAMILY50", "STUDENT", "BFRIDAY23"], [4, 3, 2, 3], int(promo.sum()))

    df = pd.DataFrame(
        {
            "customer_id": customer_id,
            "signup_date": signup_date,
            "tenure_months": fmt_int(tenure_out),
            "age": fmt_int(age_out),
            "region": region_out,
            "plan_tier": plan,
            "contract_type": contract_out,
            "num_lines": fmt_int(lines),
            "internet_service": internet_out,
            "tech_support": tech_out,
            "monthly_charges": fmt_float(monthly_charges, 2),
            "total_charges": total_txt,
            "payment_method": payment_out,
            "paperless_billing": paperless_out,
            "marketing_opt_in": opt_in_out,
            "data_usage_gb_30d": fmt_float(usage_out, 1),
            "usage_trend_3m": fmt_float(usage_trend, 3),
            "support_calls_90d": fmt_int(support_out),
            "last_login_days": fmt_int(last_login_out),
            "satisfaction_score": fmt_int(sat_out),
            "referral_code": referral,
            "cancellation_reason": cancellation_reason,
            "churned": churned,
        }
    )

    # random customer split (stratified), rows shuffled like an unsorted CRM extract
    test_mask = np.zeros(n, dtype=bool)
    for label in (0, 1):
        idx = np.flatnonzero(churned == label)
        test_mask[rng.choice(idx, size=round(len(idx) * n_test / n), replace=False)] = True
    test_idx = np.flatnonzero(test_mask)
    train_idx = rng.permutation(np.flatnonzero(~test_mask))
    train = df.iloc[train_idx].reset_index(drop=True)
    # exact duplicate rows (the export joins a table with repeated keys)
    n_dup = round(dup_share * len(train))
    dup_src = rng.choice(len(train), size=n_dup, replace=False)
    train = pd.concat([train, train.iloc[dup_src]], ignore_index=True)
    train = train.iloc[rng.permutation(len(train))].reset_index(drop=True)

    test = df.iloc[rng.permutation(test_idx)].reset_index(drop=True)
    test_features = test.drop(columns=["churned"])
    test_labels = test[["customer_id", "churned"]].sort_values("customer_id").reset_index(drop=True)
    return train, test_features, test_labels


# --------------------------------------------------------------------------
# 2. fraud: card transaction fraud, binary classification, ~1.2 % positives
# --------------------------------------------------------------------------

MERCHANT_CATEGORIES = [
    "grocery",
    "gas_transport",
    "restaurants",
    "online_retail",
    "electronics",
    "travel",
    "entertainment",
    "health_pharmacy",
    "home_garden",
    "digital_goods",
    "jewelry",
    "cash_advance",
]


def make_fraud(seed: int, n_train: int = 20_000, n_test: int = 5_000, fraud_rate: float = 0.012):
    """Return (train, test_features, test_labels) for the fraud assignment.

    Label first, then features: legitimate transactions follow the cardholder's
    usual pattern; frauds come in three modes that overlap with it to
    different degrees: card-not-present (stolen card details used online:
    digital goods / electronics, manual key entry, web checkout, bursts of
    transactions, new cards), card-present skimming (swiped cloned cards far
    from home or abroad, cash advances and jewelry, at night) and "stealth"
    fraud that looks like the cardholder's own spending. PR-AUC of roughly
    0.4-0.7 is reachable; accuracy is useless (99 % by predicting 0).

    Leakage: ``chargeback_filed`` is set when the cardholder disputes the
    transaction, weeks after it happened; ~96 % of frauds and ~0.12 % of
    legitimate transactions ("friendly fraud" / merchant disputes).
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test

    is_fraud = (rng.random(n) < fraud_rate).astype(int)
    fraud = is_fraud == 1
    mode = np.where(fraud, pick(rng, ["cnp", "skim", "stealth"], [47, 28, 25], n), "legit")
    cnp, skim = mode == "cnp", mode == "skim"
    legit_like = ~(cnp | skim)  # legit rows and stealth frauds share one distribution

    cat_w = [20, 14, 15, 14, 5, 4, 7, 7, 6, 4, 1.5, 2.5]
    cat = pick(rng, MERCHANT_CATEGORIES, cat_w, n)
    cat[cnp] = pick(rng, MERCHANT_CATEGORIES, [1, 1, 1, 30, 22, 10, 3, 1, 2, 26, 2, 1], int(cnp.sum()))
    cat[skim] = pick(rng, MERCHANT_CATEGORIES, [10, 18, 3, 2, 14, 3, 3, 2, 4, 1, 15, 25], int(skim.sum()))
    card_present_cat = np.isin(cat, ["grocery", "gas_transport", "restaurants", "health_pharmacy", "home_garden"])
    online_cat = np.isin(cat, ["online_retail", "digital_goods"])

    entry = np.where(
        online_cat,
        pick(rng, ["online", "manual_key"], [95, 5], n),
        np.where(
            card_present_cat,
            pick(rng, ["chip", "contactless", "swipe", "online"], [45, 38, 9, 8], n),
            pick(rng, ["chip", "contactless", "swipe", "online", "manual_key"], [30, 20, 8, 39, 3], n),
        ),
    ).astype(object)
    entry[cnp] = pick(rng, ["online", "manual_key"], [72, 28], int(cnp.sum()))
    entry[skim] = pick(rng, ["swipe", "chip", "contactless"], [70, 18, 12], int(skim.sum()))
    is_cnp = np.isin(entry, ["online", "manual_key"])
    device = np.where(
        is_cnp,
        np.where(
            cnp,
            pick(rng, ["mobile_app", "web_browser"], [25, 75], n),
            pick(rng, ["mobile_app", "web_browser"], [58, 42], n),
        ),
        "pos_terminal",
    ).astype(object)

    cardholder_age = np.clip(np.round(rng.normal(np.where(legit_like, 44, 54), np.where(legit_like, 15, 18))), 18, 92)
    card_age = np.round(rng.exponential(850, n)).astype(float)
    new_card = (cnp | skim) & (rng.random(n) < 0.35)
    card_age[new_card] = rng.integers(0, 30, int(new_card.sum()))
    avg_amt = np.round(rng.lognormal(np.log(48), 0.65, n), 2)
    cat_mult = (
        pd.Series(cat)
        .map(
            {
                "grocery": 1.0,
                "gas_transport": 0.9,
                "restaurants": 0.8,
                "online_retail": 1.4,
                "electronics": 3.2,
                "travel": 4.5,
                "entertainment": 0.9,
                "health_pharmacy": 0.7,
                "home_garden": 1.6,
                "digital_goods": 0.5,
                "jewelry": 4.0,
                "cash_advance": 3.0,
            }
        )
        .to_numpy()
    )
    ratio = rng.lognormal(np.where(legit_like, 0.0, 0.9), np.where(legit_like, 0.75, 0.9), n) * cat_mult
    amount = np.round(avg_amt * ratio, 2)

    hour = np.clip(np.round(rng.normal(14.5, 4.3, n)), 0, 23).astype(int)
    night = rng.random(n) < np.where(legit_like, 0.06, np.where(skim, 0.45, 0.35))
    hour[night] = rng.integers(0, 6, int(night.sum()))

    dist = rng.lognormal(np.log(6), 1.1, n)
    dist[cnp] = rng.lognormal(np.log(35), 1.4, int(cnp.sum()))
    dist[skim] = rng.lognormal(np.log(90), 1.2, int(skim.sum()))
    foreign = rng.random(n) < np.where(legit_like, 0.035, np.where(skim, 0.40, 0.15))
    dist[foreign] = rng.lognormal(np.log(1500), 0.9, int(foreign.sum()))
    dist = np.minimum(dist, 19_500.0)  # half the Earth's circumference

    txn24 = rng.poisson(2.2, n) + (rng.random(n) < 0.05) * rng.poisson(3, n)
    burst = (cnp | skim) & (rng.random(n) < 0.55)
    txn24[burst] += rng.poisson(4.5, int(burst.sum()))

    # --- leakage: chargeback filed after the fact ------------------------------
    chargeback = np.where(fraud, rng.random(n) < 0.96, rng.random(n) < 0.0012).astype(int)

    # --- messy export -----------------------------------------------------------
    cat_out = cat.copy()
    feed_b = rng.random(n) < 0.14  # transactions from the second acquirer feed
    cat_out[feed_b] = np.array([c.upper() for c in cat[feed_b]], dtype=object)
    feed_c = (~feed_b) & (rng.random(n) < 0.06)
    cat_out[feed_c] = np.array([c.replace("_", " ").title() for c in cat[feed_c]], dtype=object)
    cat_out[rng.random(n) < 0.008] = ""

    device_out = device.copy()
    dev_m = rng.random(n) < 0.08
    device_out[dev_m] = np.array([d.replace("_", " ").title() for d in device[dev_m]], dtype=object)
    device_out[rng.random(n) < 0.025] = "unknown"

    dist_out = np.round(dist, 1)
    dist_out[rng.random(n) < np.where(is_cnp, 0.12, 0.02)] = np.nan  # no geolocation for many online payments
    card_age_out = card_age.copy()
    card_age_out[rng.random(n) < 0.01] = np.nan
    amount_out = amount.copy()
    zero_auth = rng.choice(n, size=40, replace=False)
    amount_out[zero_auth] = 0.0  # $0 card-verification authorisations
    age_out = cardholder_age.copy()
    age_out[rng.random(n) < 0.04] = np.nan
    age_out[rng.choice(n, size=8, replace=False)] = np.array([0, 0, 120, 0, 130, 0, 0, 118])  # placeholder DOBs

    tx_num = np.sort(rng.choice(np.arange(10_000_000, 99_999_999), size=n, replace=False))
    transaction_id = np.array([f"TX{t:08d}" for t in tx_num], dtype=object)

    df = pd.DataFrame(
        {
            "transaction_id": transaction_id,
            "amount": fmt_float(amount_out, 2),
            "merchant_category": cat_out,
            "entry_mode": entry,
            "device_type": device_out,
            "hour_of_day": hour,
            "distance_from_home_km": fmt_float(dist_out, 1),
            "is_foreign": foreign.astype(int),
            "card_age_days": fmt_int(card_age_out),
            "txn_count_24h": txn24.astype(int),
            "avg_amount_30d": fmt_float(avg_amt, 2),
            "cardholder_age": fmt_int(age_out),
            "chargeback_filed": chargeback,
            "is_fraud": is_fraud,
        }
    )
    # stratified random split so both sides have a stable number of frauds
    test_mask = np.zeros(n, dtype=bool)
    for label in (0, 1):
        idx = np.flatnonzero(is_fraud == label)
        k = round(len(idx) * n_test / n)
        test_mask[rng.choice(idx, size=k, replace=False)] = True
    train = df[~test_mask].reset_index(drop=True)  # sorted by transaction_id
    test = df[test_mask].reset_index(drop=True)
    test_features = test.drop(columns=["is_fraud"])
    test_labels = test[["transaction_id", "is_fraud"]]
    return train, test_features, test_labels


# --------------------------------------------------------------------------
# 3. delivery: food-delivery time regression, time ordered, grouped
# --------------------------------------------------------------------------

ZONES = ["Downtown", "Old Town", "Riverside", "University", "Northgate", "Eastfield", "Harbor", "West Hills"]
CUISINES = ["Pizza", "Burgers", "Sushi", "Indian", "Chinese", "Thai", "Mexican", "Salads", "Kebab", "Italian", "Bakery"]


def make_delivery(seed: int):
    """Return (train, test_features, test_labels) for the delivery assignment.

    Orders from 2024-04-01 to 2024-12-31; the test set is every order from
    2024-11-01 on (the last two months). Delivery time = restaurant prep +
    travel (distance / speed, slowed by traffic, weather, vehicle, courier
    inexperience) + handover, times a seasonal load factor and daily shocks.
    Late autumn and winter bring worse weather (rain, snow), a growing courier
    shortage, seasonal hires with little experience, a December holiday order
    peak and newly onboarded restaurants, so the test period is slower than
    anything in train and a random split of train is optimistic.

    Leakage: ``delivered_at`` (order_time + delivery time) and
    ``customer_rating`` (given after delivery, driven by lateness).
    """
    rng = np.random.default_rng(seed)
    start, end, test_start = pd.Timestamp("2024-04-01"), pd.Timestamp("2024-12-31"), pd.Timestamp("2024-11-01")
    days = pd.date_range(start, end, freq="D")
    n_days = len(days)

    # --- restaurants and couriers --------------------------------------------
    n_rest = 300
    n_new_rest = 24  # onboarded in the winter campaign, mostly unseen in train
    rest_zone = pick(rng, ZONES, [22, 12, 12, 14, 11, 11, 9, 9], n_rest)
    rest_cuisine = pick(rng, CUISINES, [16, 14, 8, 10, 10, 7, 9, 7, 8, 8, 3], n_rest)
    cuisine_prep = (
        pd.Series(rest_cuisine)
        .map(
            {
                "Pizza": 16,
                "Burgers": 12,
                "Sushi": 18,
                "Indian": 19,
                "Chinese": 14,
                "Thai": 16,
                "Mexican": 13,
                "Salads": 9,
                "Kebab": 10,
                "Italian": 18,
                "Bakery": 7,
            }
        )
        .to_numpy()
    )
    rest_prep = cuisine_prep * rng.lognormal(0, 0.28, n_rest)  # restaurant-level effect
    rest_est_bias = rng.normal(0, 3.0, n_rest)  # some restaurants under/over-estimate their prep time
    rest_gives_estimate = rng.random(n_rest) > 0.10
    rest_popularity = rng.pareto(1.6, n_rest) + 0.3
    new_idx = rng.choice(n_rest, size=n_new_rest, replace=False)
    open_offsets = rng.integers(0, 75, n_new_rest)
    rest_open_arr = np.full(n_rest, np.datetime64(start.to_datetime64()))
    rest_open_arr[new_idx] = (pd.Timestamp("2024-10-20") + pd.to_timedelta(open_offsets, unit="D")).to_numpy()
    rest_prep[new_idx] *= 1.15  # new kitchens are slower at first

    n_cour = 520
    hire = start + pd.to_timedelta(rng.integers(-900, 240, n_cour), unit="D")
    winter_hires = rng.choice(n_cour, size=45, replace=False)  # seasonal hires for the holiday peak
    hire_arr = hire.to_numpy().copy()
    hire_arr[winter_hires] = (
        pd.Timestamp("2024-10-15") + pd.to_timedelta(rng.integers(0, 60, 45), unit="D")
    ).to_numpy()
    cour_vehicle = pick(rng, ["bicycle", "e-bike", "scooter", "car"], [22, 26, 34, 18], n_cour)
    cour_skill = rng.normal(0, 0.08, n_cour)
    cour_quit = hire_arr + pd.to_timedelta(rng.exponential(650, n_cour), unit="D").to_numpy()

    # --- order volume: weekly pattern, summer dip, holiday peak -----------------
    month = days.month.to_numpy()
    season_vol = pd.Series(month).map({4: 57, 5: 56, 6: 53, 7: 51, 8: 52, 9: 55, 10: 57, 11: 49, 12: 50}).to_numpy()
    dow = days.day_of_week.to_numpy()
    weekly = np.array([0.85, 0.85, 0.9, 0.95, 1.2, 1.25, 1.15])[dow]
    holiday_boost = np.where((days >= "2024-12-16") & (days <= "2024-12-31"), 1.25, 1.0)
    n_per_day = rng.poisson(season_vol * weekly * holiday_boost)

    # daily weather (city-wide), seasonal mix
    weather_p = {
        4: [40, 26, 20, 6, 5, 3],
        5: [50, 25, 18, 5, 0, 2],
        6: [60, 20, 14, 5, 0, 1],
        7: [64, 18, 12, 5, 0, 1],
        8: [60, 20, 14, 5, 0, 1],
        9: [48, 26, 18, 6, 0, 2],
        10: [34, 30, 24, 7, 0, 5],
        11: [24, 30, 28, 8, 4, 6],
        12: [20, 30, 22, 7, 14, 7],
    }
    weather_names = np.array(["Clear", "Cloudy", "Rain", "Heavy rain", "Snow", "Fog"], dtype=object)
    day_weather = np.array(
        [weather_names[rng.choice(6, p=np.array(weather_p[m]) / sum(weather_p[m]))] for m in month], dtype=object
    )
    day_shock = rng.normal(0, 0.09, n_days)  # unobserved daily operations conditions
    # courier shortage grows through the autumn / holiday season
    doy = (days - start).days.to_numpy()
    season_load = 1.0 + 0.11 * np.clip((doy - 60) / 214, 0, 1.0) ** 1.3

    day_idx = np.repeat(np.arange(n_days), n_per_day)
    n = len(day_idx)
    hour_w = np.array([2, 1, 0.5, 0.2, 0.1, 0.1, 0.3, 1, 2, 2.5, 3.5, 6, 11, 9, 5, 3.5, 4, 7, 12, 13, 10, 7, 5, 3.5])
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    secs = hour * 3600 + rng.integers(0, 3600, n)
    order_time = days[day_idx] + pd.to_timedelta(secs, unit="s")
    order_time_np = order_time.to_numpy()
    sort = np.argsort(order_time_np, kind="stable")
    day_idx, hour, order_time_np = day_idx[sort], hour[sort], order_time_np[sort]
    order_time = pd.DatetimeIndex(order_time_np)

    # choose restaurant among those open, weighted by popularity
    rest = np.empty(n, dtype=int)
    for d in range(n_days):
        sel = np.flatnonzero(day_idx == d)
        if len(sel) == 0:
            continue
        open_mask = rest_open_arr <= days[d].to_datetime64()
        w = rest_popularity * open_mask
        w[new_idx] *= 2.5  # launch promotions
        rest[sel] = rng.choice(n_rest, size=len(sel), p=w / w.sum())

    cour = np.empty(n, dtype=int)
    for d in range(n_days):
        sel = np.flatnonzero(day_idx == d)
        if len(sel) == 0:
            continue
        t = days[d].to_datetime64()
        active = np.flatnonzero((hire_arr <= t) & (cour_quit > t))
        cour[sel] = rng.choice(active, size=len(sel))

    zone = rest_zone[rest]
    cuisine = rest_cuisine[rest]
    vehicle = cour_vehicle[cour]
    exp_days = ((order_time_np - hire_arr[cour]) / np.timedelta64(1, "D")).astype(float)
    exp_days = np.floor(exp_days)

    zone_dist = (
        pd.Series(zone)
        .map(
            {
                "Downtown": 2.4,
                "Old Town": 2.2,
                "Riverside": 3.2,
                "University": 2.6,
                "Northgate": 3.8,
                "Eastfield": 3.6,
                "Harbor": 3.0,
                "West Hills": 4.6,
            }
        )
        .to_numpy()
    )
    distance = np.clip(rng.lognormal(np.log(zone_dist), 0.5, n), 0.3, 16.0)
    items = np.clip(1 + rng.poisson(1.5, n) + (rng.random(n) < 0.05) * rng.poisson(5, n), 1, 30)
    is_weekend = (pd.DatetimeIndex(order_time).day_of_week >= 5).astype(int)

    # traffic by hour and zone
    rush = np.isin(hour, [7, 8, 17, 18, 19])
    lunch = np.isin(hour, [12, 13])
    central = np.isin(zone, ["Downtown", "Old Town", "Harbor"])
    t_score = 0.9 * rush + 0.5 * lunch + 0.5 * central - 0.6 * is_weekend * rush + rng.normal(0, 0.55, n)
    t_score += 0.25 * (day_weather[day_idx] != "Clear") + 0.15 * (month[day_idx] == 12)
    traffic = np.where(t_score < 0.3, "Low", np.where(t_score < 0.9, "Medium", np.where(t_score < 1.5, "High", "Jam")))

    weather = day_weather[day_idx]

    # --- delivery time ----------------------------------------------------------
    prep = rest_prep[rest] * rng.lognormal(0, 0.22, n) + 0.9 * items
    peak = lunch | np.isin(hour, [18, 19, 20])
    prep *= np.where(peak, 1.15, 1.0)
    base_speed = pd.Series(vehicle).map({"bicycle": 14.0, "e-bike": 19.0, "scooter": 23.0, "car": 25.0}).to_numpy()
    traffic_mult = pd.Series(traffic).map({"Low": 1.0, "Medium": 0.86, "High": 0.72, "Jam": 0.55}).to_numpy()
    traffic_mult = np.where(np.isin(vehicle, ["bicycle", "e-bike"]), 0.5 + 0.5 * traffic_mult, traffic_mult)
    weather_mult = (
        pd.Series(weather)
        .map({"Clear": 1.0, "Cloudy": 0.98, "Rain": 0.85, "Heavy rain": 0.72, "Snow": 0.70, "Fog": 0.88})
        .to_numpy()
    )
    weather_mult = np.where(
        np.isin(vehicle, ["bicycle", "e-bike", "scooter"]) & (weather_mult < 0.9), weather_mult * 0.93, weather_mult
    )
    experience = 0.78 + 0.22 * (1 - np.exp(-np.maximum(exp_days, 0) / 45.0))
    speed = base_speed * traffic_mult * weather_mult * experience * np.exp(cour_skill[cour])
    travel = 60.0 * distance * 1.25 / speed  # 1.25: road distance vs straight line
    handover = 3.0 + rng.exponential(2.5, n)
    minutes = (prep + travel + handover) * season_load[day_idx] * np.exp(day_shock[day_idx] + rng.normal(0, 0.13, n))
    minutes = np.clip(minutes, 9.0, 150.0)
    minutes = np.round(minutes, 1)

    # --- leakage --------------------------------------------------------------
    delivered = order_time + pd.to_timedelta(np.round(minutes * 60).astype(np.int64), unit="s")
    promised = rest_prep[rest] + 0.9 * items + 60.0 * distance * 1.25 / 18.0 + 6.0
    lateness = minutes - promised
    rating = np.clip(np.round(4.7 - 0.07 * np.maximum(lateness, 0) + rng.normal(0, 0.6, n)), 1, 5)
    rating[rng.random(n) < 0.44] = np.nan  # most customers do not rate

    # --- messy export -----------------------------------------------------------
    prep_est = np.round(rest_prep[rest] + 0.9 * items + rest_est_bias[rest] + rng.normal(0, 2.0, n))
    prep_est = np.clip(prep_est, 3, 60)
    prep_est[~rest_gives_estimate[rest]] = np.nan
    prep_est[rng.random(n) < 0.02] = np.nan

    weather_out = messy_labels(
        rng,
        weather,
        {
            "Clear": (["Clear", "clear", "Sunny"], [88, 6, 6]),
            "Cloudy": (["Cloudy", "cloudy", "Overcast"], [88, 6, 6]),
            "Rain": (["Rain", "rain", "Rainy", "RAIN"], [84, 8, 6, 2]),
            "Heavy rain": (["Heavy rain", "heavy rain", "Storm"], [86, 8, 6]),
            "Snow": (["Snow", "snow", "Snowy"], [88, 6, 6]),
            "Fog": (["Fog", "fog", "Foggy"], [88, 6, 6]),
        },
    )
    weather_out[rng.random(n) < 0.035] = ""

    dist_out = np.round(distance, 2)
    bad_d = rng.choice(n, size=20, replace=False)
    dist_out[bad_d] = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 87.5, 120.3, 0.01, 250.0] * 2)  # GPS glitches
    exp_out = exp_days.copy()
    bad_e = rng.choice(n, size=25, replace=False)
    exp_out[bad_e] = -exp_out[bad_e] - rng.integers(1, 300, 25)  # hire date typed in the wrong year
    exp_out[rng.random(n) < 0.015] = np.nan

    order_value = np.round(
        items * rng.lognormal(np.log(11), 0.3, n) + rng.choice([0.0, 2.99, 3.99], size=n, p=[0.5, 0.3, 0.2]), 2
    )

    order_ids = np.array([f"ORD-{i:07d}" for i in 1_000_000 + np.arange(n) * 3 + rng.integers(0, 3, n)], dtype=object)
    rest_ids = np.array([f"R{r + 1:04d}" for r in rest], dtype=object)
    cour_ids = np.array([f"K{c + 1:04d}" for c in cour], dtype=object)

    ot = order_time.strftime("%Y-%m-%d %H:%M:%S").to_numpy().astype(object)
    da = pd.DatetimeIndex(delivered).strftime("%Y-%m-%d %H:%M:%S").to_numpy().astype(object)

    df = pd.DataFrame(
        {
            "order_id": order_ids,
            "order_time": ot,
            "restaurant_id": rest_ids,
            "cuisine": cuisine,
            "city_zone": zone,
            "courier_id": cour_ids,
            "vehicle_type": vehicle,
            "courier_experience_days": fmt_int(exp_out),
            "distance_km": fmt_float(dist_out, 2),
            "items_count": items.astype(int),
            "order_value": fmt_float(order_value, 2),
            "prep_time_estimate_min": fmt_int(prep_est),
            "hour": hour.astype(int),
            "is_weekend": is_weekend,
            "weather": weather_out,
            "traffic_level": traffic,
            "delivered_at": da,
            "customer_rating": fmt_int(rating),
            "delivery_minutes": fmt_float(minutes, 1),
        }
    )
    is_test = order_time_np >= test_start.to_datetime64()
    train = df[~is_test].reset_index(drop=True)
    # a few exact duplicates from a retried export batch
    dup_src = rng.choice(len(train), size=36, replace=False)
    train = pd.concat([train, train.iloc[dup_src]], ignore_index=True)
    train = train.sort_values(["order_id"], kind="stable").reset_index(drop=True)
    test = df[is_test].reset_index(drop=True)
    test_features = test.drop(columns=["delivery_minutes"])
    test_labels = test[["order_id", "delivery_minutes"]]
    return train, test_features, test_labels


def make_churn_mini(seed: int):
    """The churn assignment at 600 customers: the sample the package ships (`grader assignment init --example`)."""
    return make_churn(seed, n_customers=600, n_test=150)


GENERATORS = {"churn": make_churn, "fraud": make_fraud, "delivery": make_delivery, "churn-mini": make_churn_mini}
SEEDS["churn-mini"] = SEEDS["churn"]
#: Where an assignment's files go when not in `sample_datasets/<name>/`.
FOLDERS = {"churn-mini": ROOT.parent / "grader" / "resources" / "assignments" / "churn-mini"}


def generate(names: Sequence[str], root: Path = ROOT) -> list[Path]:
    written = []
    for name in names:
        train, test_features, test_labels = GENERATORS[name](SEEDS[name])
        folder = FOLDERS.get(name, root / name)
        for frame, rel in (
            (train, "train.csv"),
            (test_features, "test_features.csv"),
            (test_labels, "hidden/test_labels.csv"),
        ):
            path = folder / rel
            write_csv(frame, path)
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"subset of {', '.join(GENERATORS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in GENERATORS]
    if unknown:
        parser.error(f"unknown assignment(s): {', '.join(unknown)}")
    for path in generate(args.names or list(GENERATORS)):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        print(f"{path.relative_to(ROOT.parent)}  {path.stat().st_size:>9,d} B  sha256:{digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

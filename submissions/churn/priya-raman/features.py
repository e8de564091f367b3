"""Cleaning and feature engineering for the Brightwave churn export.

Everything here is row-wise and stateless (fixed mappings and fixed validity
ranges, no statistics learnt from the data), so it is safe to apply before the
train/validation split. Anything that learns from data (imputation, encoding,
scaling) lives in the scikit-learn pipeline in the notebook instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SNAPSHOT = pd.Timestamp("2024-06-30")

# The old CRM stored contract type as free text; these are all the spellings in the export.
CONTRACT = {
    "month-to-month": "Month-to-month",
    "month to month": "Month-to-month",
    "mtm": "Month-to-month",
    "one year": "One year",
    "1 year": "One year",
    "12 months": "One year",
    "two year": "Two year",
    "2 year": "Two year",
    "24 months": "Two year",
}

INTERNET = {"fiber optic": "Fiber optic", "fiber": "Fiber optic", "dsl": "DSL", "no": "No", "none": "No"}

PAYMENT = {
    "electronic check": "Electronic check",
    "e-check": "Electronic check",
    "mailed check": "Mailed check",
    "bank transfer (automatic)": "Bank transfer (automatic)",
    "bank transfer": "Bank transfer (automatic)",
    "credit card (automatic)": "Credit card (automatic)",
    "credit card": "Credit card (automatic)",
}

YES_NO = {"yes": 1, "y": 1, "true": 1, "1": 1, "no": 0, "n": 0, "false": 0, "0": 0}

# Campaign codes are shared by many customers; personal codes look like REF-XXXXXX.
CAMPAIGN_CODES = {"SUMMER2023", "FAMILY50", "STUDENT", "BFRIDAY23"}

# Validity ranges: values outside are system/entry errors, treated as missing.
VALID_AGE = (18, 100)
MAX_MONTHLY_CHARGE = 1_000.0  # the most expensive real plan is a few hundred dollars
MAX_USAGE_GB = 5_000.0  # meter-feed error values are 87,000+
SUPPORT_PLACEHOLDER = 99  # call-centre code for "could not match the account"

LEAKAGE = ["cancellation_reason"]  # recorded after the customer asked to cancel
ID = "customer_id"
TARGET = "churned"


def _norm(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower()


def parse_money(s: pd.Series) -> pd.Series:
    """'$1,234.50' and '1234.50' -> 1234.5; blanks -> NaN."""
    cleaned = s.astype("string").str.replace(r"[$,\s]", "", regex=True).replace("", pd.NA)
    return pd.to_numeric(cleaned, errors="coerce").astype(float)


def parse_signup(s: pd.Series) -> pd.Series:
    """ISO dates plus the legacy CRM formats (MM/DD/YYYY, DD-Mon-YYYY, with a time)."""
    return pd.to_datetime(s, format="mixed", errors="coerce")


def referral_type(s: pd.Series) -> pd.Series:
    """Collapse the near-unique referral codes into none / personal / campaign."""
    code = s.astype("string").str.strip().str.upper()
    out = pd.Series("none", index=s.index, dtype=object)
    out[code.str.startswith("REF-", na=False)] = "personal"
    out[code.isin(CAMPAIGN_CODES).fillna(False).astype(bool)] = "campaign"
    return out


def clean_export(raw: pd.DataFrame) -> pd.DataFrame:
    """Fix types, spellings and impossible values; returns a new frame."""
    df = raw.copy()

    df["contract_type"] = _norm(df["contract_type"]).map(CONTRACT)
    df["payment_method"] = _norm(df["payment_method"]).map(PAYMENT)
    df["tech_support"] = _norm(df["tech_support"]).map(
        {**{k: ("Yes" if v else "No") for k, v in YES_NO.items()}, "no internet service": "No internet service"}
    )
    df["internet_service"] = _norm(df["internet_service"]).map(INTERNET)
    # pandas reads the legacy value "None" as missing; tech_support tells us these have no internet.
    no_internet = df["tech_support"].eq("No internet service") & df["internet_service"].isna()
    df.loc[no_internet, "internet_service"] = "No"

    for col in ["paperless_billing", "marketing_opt_in"]:
        df[col] = _norm(df[col]).map(YES_NO).astype(float)

    df["total_charges"] = parse_money(df["total_charges"])
    df["signup_date"] = parse_signup(df["signup_date"])

    # tenure is missing where a batch job failed; recompute it from the signup date
    months = ((SNAPSHOT - df["signup_date"]).dt.days / 30.44).apply(np.floor)
    df["tenure_months"] = df["tenure_months"].fillna(months)
    # blank total for accounts in their first month is a real zero
    df.loc[df["total_charges"].isna() & df["tenure_months"].eq(0), "total_charges"] = 0.0

    df["age"] = df["age"].where(df["age"].between(*VALID_AGE))
    df["monthly_charges"] = df["monthly_charges"].where(df["monthly_charges"].between(0, MAX_MONTHLY_CHARGE))
    df["data_usage_gb_30d"] = df["data_usage_gb_30d"].where(df["data_usage_gb_30d"] <= MAX_USAGE_GB)
    df["support_calls_90d"] = df["support_calls_90d"].where(df["support_calls_90d"] != SUPPORT_PLACEHOLDER)
    return df


def add_features(df: pd.DataFrame) -> pd.DataFrame:
    """Features motivated by the EDA; returns a new frame."""
    out = df.copy()
    out["referral_type"] = referral_type(out["referral_code"])
    # missing-not-at-random: churners have often deleted their app account already
    out["no_app_account"] = out["last_login_days"].isna().astype(int)
    out["surveyed"] = out["satisfaction_score"].notna().astype(int)
    out["is_business"] = out["plan_tier"].eq("Business").astype(int)
    out["charges_per_line"] = out["monthly_charges"] / out["num_lines"]
    out["avg_bill_to_date"] = out["total_charges"] / out["tenure_months"].where(out["tenure_months"] > 0)
    out["fiber_no_support"] = (
        out["internet_service"].eq("Fiber optic") & out["tech_support"].eq("No")
    ).astype(int)
    return out


def prepare(raw: pd.DataFrame) -> pd.DataFrame:
    """clean_export + add_features, minus the columns we never model on."""
    df = add_features(clean_export(raw))
    return df.drop(columns=[c for c in LEAKAGE + ["referral_code", "signup_date"] if c in df.columns])

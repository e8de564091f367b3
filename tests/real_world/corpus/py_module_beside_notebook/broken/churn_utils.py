"""Cleaning helpers for the Brightwave churn notebook."""

import pandas as pd

YES_NO = {"yes": 1, "y": 1, "true": 1, "1": 1, "no": 0, "n": 0, "false": 0, "0": 0}


def clean(df):
    """Fix types and spellings; drop the leaky and the free-text columns."""
    df = df.copy()
    charges = df["total_charges"].astype(str).str.replace(r"[$,]", "", regex=True)
    df["total_charges"] = pd.to_numeric(charges, errors="coerce")
    for col in ["tech_support", "paperless_billing", "marketing_opt_in"]:
        df[col] = df[col].astype(str).str.strip().str.lower().map(YES_NO)
    for col in ["internet_service", "contract_type", "payment_method", "region"]:
        df[col] = df[col].str.strip().str.lower()
    return df.drop(columns=["cancellation_reason", "signup_date", "referral_code"])

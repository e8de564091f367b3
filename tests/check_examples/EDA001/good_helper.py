# %% [markdown]
# # Churn: the overview lives in a helper
# %%
import pandas as pd


def overview(frame: pd.DataFrame) -> pd.DataFrame:
    print("rows, columns:", frame.shape)
    print(frame.dtypes.value_counts())
    return frame[["tenure_months", "monthly_charges"]].median()


df = pd.read_csv("data/train.csv")
overview(df)

# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.head()
# %%
X_train = df.drop(columns=["churned"])
display(X_train.shape)
# %%
def churn_rate(frame: pd.DataFrame, by: str) -> pd.Series:
    return frame.groupby(by)["churned"].mean().sort_values()


churn_rate(df, "contract_type")

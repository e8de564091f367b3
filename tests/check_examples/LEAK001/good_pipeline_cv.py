# %% [markdown]
# # Churn: everything inside a pipeline, cross-validated

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv("data/train.csv")
num = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "support_calls_90d", "num_lines"]
cat = ["region", "plan_tier", "contract_type"]
X = df[num + cat]
y = df["churned"]

# %%
pre = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), num),
    ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
])
pipe = Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=1000))])
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(pipe, X, y, cv=folds, scoring="roc_auc").mean())

# %% [markdown]
# # Churn: numeric features with missing-value indicators

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
y = df["churned"]

# %% [markdown]
# Missing values are informative here, so the imputer adds an indicator for each column.

# %%
numeric = ["tenure_months", "monthly_charges", "support_calls_90d", "usage_trend_3m", "last_login_days"]
prep = ColumnTransformer([("num", Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                                            ("scale", StandardScaler())]), numeric)])
model = Pipeline([("prep", prep), ("logit", LogisticRegression(max_iter=1000))])
print(cross_val_score(model, df[numeric], y, cv=5, scoring="roc_auc").mean())
model.fit(df[numeric], y)

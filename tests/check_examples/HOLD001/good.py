# %% [markdown]
# # Churn: a simple pipeline and the predictions file

# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

train = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test_features.csv")
cols = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "support_calls_90d", "num_lines",
        "last_login_days", "usage_trend_3m"]
model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000))
model.fit(train[cols], train["churned"])

# %%
proba = model.predict_proba(test[cols])[:, 1]
pd.DataFrame({"customer_id": test["customer_id"], "churned": (proba >= 0.5).astype(int),
              "churn_probability": proba}).to_csv("predictions.csv", index=False)

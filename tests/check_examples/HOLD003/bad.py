# %% [markdown]
# # Churn: predictions for the rows without gaps

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression

train = pd.read_csv("data/train.csv").dropna(subset=["tenure_months", "age"])
test = pd.read_csv("data/test_features.csv").dropna(subset=["tenure_months", "age"])
cols = ["tenure_months", "age", "support_calls_90d", "num_lines"]
model = LogisticRegression(max_iter=1000).fit(train[cols], train["churned"])

# %%
out = pd.DataFrame({"customer_id": test["customer_id"], "churned": model.predict(test[cols]),
                    "churn_probability": model.predict_proba(test[cols])[:, 1]})
pd.concat([out, out.head(10)]).to_csv("predictions.csv", index=False)

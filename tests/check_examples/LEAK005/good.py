# %% [markdown]
# # Churn: evaluate, then refit on all rows for the submission

# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

train_df = pd.read_csv("data/train.csv")
test_df = pd.read_csv("data/test_features.csv")
cols = ["tenure_months", "age", "monthly_charges", "support_calls_90d", "num_lines"]

# %%
pipe = Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler()), ("lr", LogisticRegression())])
X_tr, X_ho, y_tr, y_ho = train_test_split(train_df[cols], train_df["churned"], test_size=0.2, random_state=0)
pipe.fit(X_tr, y_tr)
print("holdout AUC", roc_auc_score(y_ho, pipe.predict_proba(X_ho)[:, 1]))

# %%
pipe.fit(train_df[cols], train_df["churned"])
proba = pipe.predict_proba(test_df[cols])[:, 1]
pd.DataFrame({"customer_id": test_df["customer_id"], "churned": (proba > 0.5).astype(int),
              "churn_probability": proba}).to_csv("predictions.csv", index=False)

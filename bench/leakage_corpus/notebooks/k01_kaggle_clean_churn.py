# %% [markdown]
# # Brightwave churn: a complete, careful solution
#
# Clean with stateless rules, keep every fitted step in a pipeline, compare models with
# cross-validation on the training part, tune on the training part, touch the hold-out once.

# %%
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

SEED = 7
raw = pd.read_csv("data/train.csv")
test_raw = pd.read_csv("data/test_features.csv")


def clean(frame):
    out = frame.copy()
    out["total_charges"] = pd.to_numeric(out["total_charges"].astype(str).str.replace(r"[$,]", "", regex=True),
                                         errors="coerce")
    out["paperless_billing"] = out["paperless_billing"].astype(str).str.lower().str[0].map({"y": 1, "n": 0})
    out["internet_service"] = out["internet_service"].astype(str).str.lower().replace({"fiber": "fiber optic"})
    return out.drop(columns=["cancellation_reason", "referral_code", "signup_date"])


train = clean(raw).drop_duplicates(subset="customer_id")
test = clean(test_raw)
NUM = ["tenure_months", "age", "monthly_charges", "total_charges", "data_usage_gb_30d", "usage_trend_3m",
       "support_calls_90d", "last_login_days", "num_lines", "paperless_billing"]
CAT = ["region", "plan_tier", "contract_type", "internet_service", "payment_method"]

# %%
X = train[NUM + CAT]
y = train["churned"]
X_dev, X_hold, y_dev, y_hold = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
pre = ColumnTransformer([
    ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), NUM),
    ("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
])
cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
candidates = {
    "dummy": DummyClassifier(strategy="prior"),
    "logistic": LogisticRegression(max_iter=2000),
    "boosting": HistGradientBoostingClassifier(random_state=SEED),
}
cv_auc = {}
for name, estimator in candidates.items():
    cv_auc[name] = cross_val_score(Pipeline([("pre", pre), ("model", estimator)]), X_dev, y_dev, cv=cv,
                                   scoring="roc_auc").mean()
print(cv_auc)

# %%
search = RandomizedSearchCV(Pipeline([("pre", pre), ("model", HistGradientBoostingClassifier(random_state=SEED))]),
                            {"model__learning_rate": [0.03, 0.1], "model__max_leaf_nodes": [15, 31]}, n_iter=3,
                            cv=cv, scoring="roc_auc", random_state=SEED)
search.fit(X_dev, y_dev)
print(search.best_params_, round(search.best_score_, 3))
print("hold-out AUC", roc_auc_score(y_hold, search.predict_proba(X_hold)[:, 1]))

# %%
final = search.best_estimator_.fit(X, y)
proba = final.predict_proba(test[NUM + CAT])[:, 1]
pd.DataFrame({"customer_id": test["customer_id"], "churned": (proba >= 0.5).astype(int),
              "churn_probability": np.round(proba, 5)}).to_csv("predictions.csv", index=False)

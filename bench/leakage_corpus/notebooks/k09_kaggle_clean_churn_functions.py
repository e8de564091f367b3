# %% [markdown]
# # Churn: small functions, one pipeline

# %%
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

NUM = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "support_calls_90d", "num_lines"]
CAT = ["region", "plan_tier", "contract_type"]


def load_clean(path):
    frame = pd.read_csv(path)
    frame["contract_type"] = frame["contract_type"].str.lower().str.strip()
    return frame.drop(columns=["cancellation_reason"], errors="ignore")


def make_model():
    pre = make_column_transformer((SimpleImputer(strategy="median"), NUM),
                                  (OneHotEncoder(handle_unknown="ignore"), CAT))
    return make_pipeline(pre, RandomForestClassifier(n_estimators=80, min_samples_leaf=5, random_state=0, n_jobs=1))


def evaluate(model, X, y):
    return cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc")


# %%
data = load_clean("data/train.csv")
X_train, X_test, y_train, y_test = train_test_split(data[NUM + CAT], data["churned"], stratify=data["churned"],
                                                    random_state=0)
print("CV AUC", evaluate(make_model(), X_train, y_train).mean())
final = make_model().fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, final.predict_proba(X_test)[:, 1]))

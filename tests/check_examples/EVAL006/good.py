# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, train_test_split
from xgboost import XGBClassifier

SEED = 7
df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
rng = np.random.default_rng(SEED)
# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
folds = KFold(n_splits=5)  # not shuffled: deterministic
# %%
params = {"n_estimators": 300, "random_state": SEED}
models = {"rf": RandomForestClassifier(**params), "xgb": XGBClassifier(n_estimators=200)}
for name, model in models.items():
    model.fit(X_train, y_train)
    print(name, roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
# %%
grid = GridSearchCV(RandomForestClassifier(random_state=0), {"max_depth": [4, 8, None]}, scoring="roc_auc")
grid.fit(X, y)
# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
best = grid.best_estimator_.fit(X_train, y_train)
print("test ROC AUC:", roc_auc_score(y_test, best.predict_proba(X_test)[:, 1]))

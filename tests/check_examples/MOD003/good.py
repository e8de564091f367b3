# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# %%
pipe = Pipeline([("scale", StandardScaler()), ("model", RandomForestClassifier(random_state=0))])
search = RandomizedSearchCV(pipe, {"model__max_depth": [4, 8, None], "model__min_samples_leaf": [1, 5, 20]},
                            n_iter=5, scoring="roc_auc", random_state=0)
search.fit(X_train, y_train)
print("test ROC AUC:", roc_auc_score(y_test, search.predict_proba(X_test)[:, 1]))

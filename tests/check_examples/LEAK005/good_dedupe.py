# %% [markdown]
# # Churn: drop duplicates, weight the classes

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv").drop_duplicates()
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
X = df[cols].fillna(-1)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)

# %%
model = RandomForestClassifier(n_estimators=100, class_weight="balanced", random_state=0, n_jobs=1)
model.fit(X_train, y_train)
print("train", model.score(X_train, y_train), "test", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))

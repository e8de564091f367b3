# %% [markdown]
# # Churn: a forest, with its over-fitting gap

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(
    df[cols].fillna(-1), df["churned"], test_size=0.2, random_state=0, stratify=df["churned"]
)

# %%
model = RandomForestClassifier(n_estimators=200, min_samples_leaf=5, random_state=0).fit(X_train, y_train)
train_auc = roc_auc_score(y_train, model.predict_proba(X_train)[:, 1])
test_auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
print(f"train AUC {train_auc:.3f} vs test AUC {test_auc:.3f}: the gap shows how much the forest over-fits")

# %% [markdown]
# # Churn: how much does the seed move the test score?

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
for seed in [0, 1, 2, 3, 4]:
    forest = RandomForestClassifier(n_estimators=200, random_state=seed).fit(X_train, y_train)
    print(seed, roc_auc_score(y_test, forest.predict_proba(X_test)[:, 1]))

# %% [markdown]
# # Churn: region churn rate as a feature

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df["region_churn_rate"] = df.groupby("region")["churned"].transform("mean")
df["plan_churn_rate"] = df.groupby("plan_tier")["churned"].transform("mean")

# %%
features = ["region_churn_rate", "plan_churn_rate", "support_calls_90d", "num_lines"]
X_train, X_test, y_train, y_test = train_test_split(df[features], df["churned"], test_size=0.2, random_state=5)
rf = RandomForestClassifier(n_estimators=80, random_state=5).fit(X_train, y_train)
print(roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))

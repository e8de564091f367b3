# %% [markdown]
# # Churn: region churn rate learnt on the training rows

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
train, test = train_test_split(df, test_size=0.2, random_state=5, stratify=df["churned"])
train = train.copy()
test = test.copy()

# %%
rates = train.groupby("region")["churned"].mean()
train["region_rate"] = train["region"].map(rates)
test["region_rate"] = test["region"].map(rates).fillna(train["churned"].mean())
features = ["region_rate", "support_calls_90d", "num_lines"]
rf = RandomForestClassifier(n_estimators=80, random_state=5).fit(train[features], train["churned"])
print(roc_auc_score(test["churned"], rf.predict_proba(test[features])[:, 1]))

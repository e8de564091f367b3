# %% [markdown]
# # Churn: fill values from the training rows

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "last_login_days"]
train, test = train_test_split(df, test_size=0.2, random_state=0, stratify=df["churned"])

# %%
medians = train[cols].median()
train_X = train[cols].fillna(medians)
test_X = test[cols].fillna(medians)
rf = RandomForestClassifier(n_estimators=100, random_state=0).fit(train_X, train["churned"])
print(roc_auc_score(test["churned"], rf.predict_proba(test_X)[:, 1]))

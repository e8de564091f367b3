# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
# %%
lr = cross_val_score(LogisticRegression(), X, y, cv=StratifiedKFold(5, shuffle=True), scoring="roc_auc")
# %%
rf = cross_val_score(RandomForestClassifier(random_state=0), X, y, cv=StratifiedKFold(5, shuffle=True),
                     scoring="roc_auc")
print(lr.mean(), rf.mean())

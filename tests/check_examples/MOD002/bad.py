# %%
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
cv = StratifiedKFold(5, shuffle=True, random_state=0)
print("dummy", cross_val_score(DummyClassifier(), X, y, cv=cv, scoring="roc_auc").mean())
# %%
search = GridSearchCV(RandomForestClassifier(random_state=0), {"max_depth": [4, 8, None]}, cv=cv, scoring="roc_auc")
search.fit(X, y)
print(search.best_score_)

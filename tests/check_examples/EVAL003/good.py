# %% [markdown]
# # Fraud model
# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

df = pd.read_csv("data/train.csv")
X = df[["amount", "hour_of_day", "distance_from_home_km", "txn_count_24h"]]
y = df["is_fraud"]
# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
# %%
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
model = HistGradientBoostingClassifier(random_state=0)
print(cross_val_score(model, X_train, y_train, cv=folds, scoring="average_precision").mean())
# cv=5 on a classifier is stratified by scikit-learn
print(cross_val_score(model, X_train, y_train, cv=5, scoring="average_precision").mean())

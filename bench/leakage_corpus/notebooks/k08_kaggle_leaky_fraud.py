# %% [markdown]
# # Fraud: the full pipeline
#
# Balance with SMOTE, train boosted trees, tune the threshold for F1.

# %%
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = df.drop(columns=["transaction_id", "chargeback_filed"])
df = pd.get_dummies(df, columns=["merchant_category", "entry_mode", "device_type"], dummy_na=True)
df = df.fillna(df.median(numeric_only=True))
X, y = df.drop(columns="is_fraud"), df["is_fraud"]

# %%
X_sm, y_sm = SMOTE(random_state=0).fit_resample(X, y)
X_train, X_test, y_train, y_test = train_test_split(X_sm, y_sm, test_size=0.2, random_state=0)
clf = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
proba = clf.predict_proba(X_test)[:, 1]

# %%
best_f1, best_t = 0, 0.5
for t in np.arange(0.1, 0.95, 0.05):
    f1 = f1_score(y_test, proba > t)
    if f1 > best_f1:
        best_f1, best_t = f1, t
print(best_t, best_f1)
print(classification_report(y_test, proba > best_t))

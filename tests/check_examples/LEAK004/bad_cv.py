# %% [markdown]
# # Fraud: SMOTE, then cross-validation

# %%
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

df = pd.read_csv("data/train.csv")
features = df[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]]
labels = df["is_fraud"]
features_bal, labels_bal = SMOTE(random_state=1).fit_resample(features, labels)

# %%
scores = cross_val_score(LogisticRegression(max_iter=1000), features_bal, labels_bal, cv=5, scoring="recall")
print(scores.mean())

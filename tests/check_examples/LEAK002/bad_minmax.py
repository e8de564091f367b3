# %% [markdown]
# # Fraud: min-max scaling by hand

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

data = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
data = data.dropna(subset=cols)

# %%
for c in cols:
    data[c] = (data[c] - data[c].min()) / (data[c].max() - data[c].min())

# %%
train, test = train_test_split(data, test_size=0.2, stratify=data["is_fraud"], random_state=7)
lr = LogisticRegression(max_iter=1000, class_weight="balanced")
lr.fit(train[cols], train["is_fraud"])
print("AP", average_precision_score(test["is_fraud"], lr.predict_proba(test[cols])[:, 1]))

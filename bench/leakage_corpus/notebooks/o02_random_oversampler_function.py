# %% [markdown]
# # Fraud: oversampling helper

# %%
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

COLS = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]


def balance(frame, label="is_fraud"):
    sampler = RandomOverSampler(random_state=0)
    features, target = sampler.fit_resample(frame[COLS], frame[label])
    return features, target


# %%
data = pd.read_csv("data/train.csv")
Xb, yb = balance(data)
X_train, X_test, y_train, y_test = train_test_split(Xb, yb, stratify=yb, random_state=0)
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("F1", f1_score(y_test, model.predict(X_test)))
